"""How long the records of cross-border pursuits are kept (``passerelle.retention``).

A pursuit, its positions and the steps of its timeline are kept for the
report the treaty requires after an operation on foreign territory and for
any review of it, then deleted together (``ON DELETE CASCADE``) one year after
the pursuit ended; an active pursuit is never deleted. The notifications
exchanged with partner control rooms have the same period from their
creation. A node may change either with ``[retention.periods]``.
"""

from __future__ import annotations

from passerelle.retention.period import Period
from passerelle.retention.rules import RetentionRule, register_rule
from passerelle.web.error_texts import N_

LEGAL_BASIS = (
    "Directive (EU) 2016/680 Art. 4(1)(e) and 5 (storage limitation); "
    "Benelux Police Treaty (2018), cross-border pursuit and the report owed afterwards"
)

PURSUITS_RULE = RetentionRule(
    name="pursuits",
    dataset="pursuits",
    table="ops_pursuits",
    timestamp_column="ended_at",  # NULL while active: never older than any cutoff
    period=Period.parse("P1Y"),
    legal_basis=LEGAL_BASIS,
    description=N_("Cross-border pursuits with their positions and timeline"),
)

NOTIFICATIONS_RULE = RetentionRule(
    name="pursuit_notifications",
    dataset="pursuits",
    table="ops_pursuit_notifications",
    timestamp_column="created_at",
    period=Period.parse("P1Y"),
    legal_basis=LEGAL_BASIS,
    description=N_("Notifications of cross-border pursuits sent to or received from partners"),
)

register_rule(PURSUITS_RULE)
register_rule(NOTIFICATIONS_RULE)
