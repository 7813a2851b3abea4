"""Treaty policies: which partner may see which dataset, for which purpose, and how."""

from passerelle.policy.loader import load_policy, parse_policy
from passerelle.policy.model import DENY, Access, Decision, Policy, allowed_fields, disclose

__all__ = [
    "DENY",
    "Access",
    "Decision",
    "Policy",
    "allowed_fields",
    "disclose",
    "load_policy",
    "parse_policy",
]
