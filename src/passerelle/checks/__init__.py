"""Joint-control checks: a person, vehicle or document against own and partner registers.

``CheckService(ctx).run(kind, CheckRequest, principal) -> CheckResponse`` on the
requesting side; ``PartnerCheck`` answers a partner under this node's policy.
"""
