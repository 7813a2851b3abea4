"""How long the raw records of joint actions are kept (``passerelle.retention``).

A result registered at a node may carry a free-text note (personal data), and
a record a partner chose to share holds the same. Both are kept one year from
their registration (or receipt), for the action's report and any review of it,
then deleted. The aggregates (counts per country, checkpoint and hour) are not
personal data and stay: the board and the report keep their figures. A node
may change either period with ``[retention.periods]``.
"""

from __future__ import annotations

from passerelle.retention.period import Period
from passerelle.retention.rules import RetentionRule, register_rule
from passerelle.web.error_texts import N_

LEGAL_BASIS = (
    "Directive (EU) 2016/680 Art. 4(1)(e) and 5 (storage limitation); "
    "Benelux Police Treaty (2018), joint actions"
)

RESULTS_RULE = RetentionRule(
    name="action_results",
    dataset="joint_actions",
    table="action_results",
    timestamp_column="registered_at",
    period=Period.parse("P1Y"),
    legal_basis=LEGAL_BASIS,
    description=N_("Results of joint actions registered at this node, with their notes"),
)

SHARED_RULE = RetentionRule(
    name="action_shared_records",
    dataset="joint_actions",
    table="action_shared_records",
    timestamp_column="received_at",
    period=Period.parse("P1Y"),
    legal_basis=LEGAL_BASIS,
    description=N_("Records of joint actions that partners shared with this node"),
)

register_rule(RESULTS_RULE)
register_rule(SHARED_RULE)
