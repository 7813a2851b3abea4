"""Read and validate a node's policy file (TOML).

The file is a list of rules; each rule names the providing nodes it applies
to (``nodes``, default: any), the partner countries, the purposes, and for each
dataset a decision::

    [[rules]]
    nodes = ["BE", "NL"]
    partners = ["BE", "NL"]
    purposes = ["joint_control", "joint_post"]
    [rules.datasets]
    population = { fields = ["national_id", "given_names", "family_name"] }
    police_records = "hit_no_hit"
    documents = { fields = ["document_number"], when = { status = ["stolen"] },
                  otherwise = "hit_no_hit" }

Two rules may not decide the same (node, partner, purpose, dataset): the file
reads the same whatever the order of its rules. Every mistake is reported with
the key it concerns, e.g. ``rules[2].datasets.population.fields: unknown field``.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from passerelle.domain.countries import Country
from passerelle.domain.purpose import Purpose
from passerelle.exc import ConfigError
from passerelle.policy.model import Access, Decision, Policy, RuleKey
from passerelle.registers.schema import DATASETS

DEFAULT_POLICY = "default_policy.toml"
_RULE_KEYS = {"nodes", "partners", "purposes", "datasets", "note"}
_ENTRY_KEYS = {"fields", "when", "otherwise"}


class _Bad(Exception):
    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key, self.problem = key, problem


def _strings(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _Bad(key, "expected a non-empty list of strings")
    return value


def _countries(value: Any, key: str) -> list[Country]:
    out = []
    for item in _strings(value, key):
        try:
            out.append(Country(item.strip().upper()))
        except ValueError:
            allowed = ", ".join(c.value for c in Country)
            raise _Bad(key, f"unknown country {item!r} (expected {allowed})") from None
    return out


def _purposes(value: Any, key: str) -> list[Purpose]:
    out = []
    for item in _strings(value, key):
        try:
            out.append(Purpose(item.strip().lower()))
        except ValueError:
            allowed = ", ".join(p.value for p in Purpose)
            raise _Bad(key, f"unknown purpose {item!r} (expected {allowed})") from None
    return out


def _columns(dataset: str, value: Any, key: str) -> frozenset[str]:
    known = DATASETS[dataset].names
    names = _strings(value, key)
    for name in names:
        if name not in known:
            raise _Bad(key, f"unknown field {name!r} of {dataset} (known: {', '.join(known)})")
    return frozenset(names)


def _decision(dataset: str, value: Any, key: str) -> Decision:
    if isinstance(value, str):
        if value in (Access.DENY, Access.HIT_NO_HIT):
            return Decision(Access(value))
        raise _Bad(key, f"expected 'deny', 'hit_no_hit' or {{ fields = [...] }}, got {value!r}")
    if not isinstance(value, dict):
        raise _Bad(key, "expected 'deny', 'hit_no_hit' or { fields = [...] }")
    extra = set(value) - _ENTRY_KEYS
    if extra:
        raise _Bad(f"{key}.{sorted(extra)[0]}", "unknown key (expected fields, when, otherwise)")
    if "fields" not in value:
        raise _Bad(f"{key}.fields", "missing")
    fields = _columns(dataset, value["fields"], f"{key}.fields")
    when: list[tuple[str, frozenset[str]]] = []
    raw_when = value.get("when", {})
    if not isinstance(raw_when, dict):
        raise _Bad(f"{key}.when", "expected a table { column = [values] }")
    for column, values in sorted(raw_when.items()):
        _columns(dataset, [column], f"{key}.when")
        allowed = _strings(values, f"{key}.when.{column}")
        when.append((column, frozenset(v.lower() for v in allowed)))
    otherwise = value.get("otherwise", Access.HIT_NO_HIT.value)
    if otherwise not in (Access.DENY, Access.HIT_NO_HIT):
        raise _Bad(f"{key}.otherwise", "expected 'deny' or 'hit_no_hit'")
    if "otherwise" in value and not when:
        raise _Bad(f"{key}.otherwise", "only meaningful together with 'when'")
    return Decision(Access.FIELDS, fields, tuple(when), Access(otherwise))


def parse_policy(data: dict[str, Any], node: Country, source: str = "(inline)") -> Policy:
    """Validate a parsed policy document and keep the decisions of ``node``."""
    try:
        return _parse(data, node, source)
    except _Bad as e:
        raise ConfigError(
            f"invalid policy {source}: {e.key}: {e.problem}",
            code="policy_invalid",
            key=e.key,
            problem=e.problem,
        ) from None


def _parse(data: dict[str, Any], node: Country, source: str) -> Policy:
    extra = set(data) - {"version", "rules"}
    if extra:
        raise _Bad(sorted(extra)[0], "unknown key (expected version, rules)")
    if data.get("version", 1) != 1:
        raise _Bad("version", "only version 1 is known")
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        raise _Bad("rules", "expected an array of tables [[rules]]")
    seen: dict[tuple[Country, Country, Purpose, str], str] = {}
    mine: dict[RuleKey, Decision] = {}
    for i, rule in enumerate(rules):
        at = f"rules[{i}]"
        if not isinstance(rule, dict):
            raise _Bad(at, "expected a table")
        extra = set(rule) - _RULE_KEYS
        if extra:
            raise _Bad(f"{at}.{sorted(extra)[0]}", "unknown key")
        for required in ("partners", "purposes", "datasets"):
            if required not in rule:
                raise _Bad(f"{at}.{required}", "missing")
        nodes = _countries(rule["nodes"], f"{at}.nodes") if "nodes" in rule else list(Country)
        partners = _countries(rule["partners"], f"{at}.partners")
        purposes = _purposes(rule["purposes"], f"{at}.purposes")
        datasets = rule["datasets"]
        if not isinstance(datasets, dict) or not datasets:
            raise _Bad(f"{at}.datasets", "expected a table of dataset = decision")
        for dataset, value in datasets.items():
            key = f"{at}.datasets.{dataset}"
            if dataset not in DATASETS:
                raise _Bad(key, f"unknown dataset (expected {', '.join(DATASETS)})")
            decision = _decision(dataset, value, key)
            for n in nodes:
                for p in partners:
                    if p == n:
                        continue
                    for u in purposes:
                        where = (n, p, u, dataset)
                        if where in seen:
                            raise _Bad(
                                key,
                                f"{n.value}->{p.value} {u.value} already decided by {seen[where]}",
                            )
                        seen[where] = at
                        if n == node:
                            mine[(p, u, dataset)] = decision
    return Policy(node=node, decisions=mine, source=source)


def load_policy(path: Path | None, node: Country) -> Policy:
    """The policy of ``node`` from ``path``, or the packaged default when ``path`` is None."""
    if path is None:
        text = resources.files("passerelle.policy").joinpath(DEFAULT_POLICY).read_text("utf-8")
        source = f"(default) {DEFAULT_POLICY}"
    else:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as e:
            raise ConfigError(
                f"cannot read policy file {path}: {e.strerror}", code="policy_invalid"
            ) from None
        source = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(
            f"policy {source} is not valid TOML: {e}", code="policy_invalid"
        ) from None
    return parse_policy(data, node, source)
