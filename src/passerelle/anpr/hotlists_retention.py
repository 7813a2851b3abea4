"""Retention of hotlist entries and of the owner's change feed (``passerelle.retention``).

- ``anpr_hotlist_entries``: an entry (own, or a partner's copy) is deleted 30 days
  after its expiry; until then a late hit on it can still be checked and shown;
- ``anpr_hotlist_removed``: a removed entry is deleted 30 days after its removal
  (the row only keeps a late or repeated message from bringing it back);
- ``anpr_hotlist_feed``: the owner's per-partner change feed, 180 days. A partner
  whose cursor is older gets a full snapshot instead of the changes.

Shares go with their entry (``ON DELETE CASCADE``). Hits have their own rule
(``anpr_hits`` in ``retention/catalogue.py``).
"""

from __future__ import annotations

from passerelle.retention.period import Period
from passerelle.retention.rules import RetentionRule, register_rule
from passerelle.web.error_texts import N_

BASIS = (
    "Directive (EU) 2016/680 Art. 5; Benelux Police Treaty (2018) Art. 13(6) and its ANPR "
    "implementing agreement (reference data is shared with an expiry)"
)

ENTRIES_RULE = RetentionRule(
    name="anpr_hotlist_entries",
    dataset="anpr_hotlists",
    table="anpr_hotlist_entries",
    timestamp_column="expires_at",
    period=Period.parse("P30D"),
    legal_basis=BASIS,
    description=N_("ANPR hotlist entries (own and partners' shared ones), from their expiry"),
)
REMOVED_RULE = RetentionRule(
    name="anpr_hotlist_removed",
    dataset="anpr_hotlists",
    table="anpr_hotlist_entries",
    timestamp_column="removed_at",
    period=Period.parse("P30D"),
    legal_basis=BASIS,
    description=N_("Removed ANPR hotlist entries, from their removal"),
)
FEED_RULE = RetentionRule(
    name="anpr_hotlist_feed",
    dataset="anpr_hotlists",
    table="anpr_hotlist_feed",
    timestamp_column="at",
    period=Period.parse("P180D"),
    legal_basis=BASIS,
    description=N_("Changes of shared hotlist entries kept for partners to catch up"),
)

for _rule in (ENTRIES_RULE, REMOVED_RULE, FEED_RULE):
    register_rule(_rule)
