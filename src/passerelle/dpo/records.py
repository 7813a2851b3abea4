"""Records of processing (LED Art. 24), generated from the node's configuration.

``build_records`` gathers, in one language: the controller and DPO, the
purposes with their legal bases, the categories of data and of data subjects
per dataset, the recipients (partner nodes of the trust store), the retention
periods (the retention rules the node applies) and the security measures.
The result is a plain dict: served as JSON, rendered to Markdown by
``to_markdown`` and to HTML by the ``dpo_records.html`` template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from passerelle.dpo import catalogue as cat
from passerelle.federation.trust import PartnerEntry
from passerelle.retention.rules import RetentionRule
from passerelle.settings import NodeSettings
from passerelle.web.error_texts import N_
from passerelle.web.i18n import gettext

LABELS = {
    "title": N_("Records of processing"),
    "subtitle": N_("Directive (EU) 2016/680, Article 24"),
    "controller": N_("Controller"),
    "dpo": N_("Data protection officer"),
    "generated": N_("Generated"),
    "purposes": N_("Purposes of processing"),
    "datasets": N_("Categories of personal data and of data subjects"),
    "recipients": N_("Recipients"),
    "retention": N_("Time limits for erasure"),
    "security": N_("Technical and organisational security measures"),
    "profiling": N_("Profiling"),
    "transfers": N_("Transfers to third countries"),
    "legal_bases": N_("Legal bases"),
    "data": N_("Personal data"),
    "subjects": N_("Data subjects"),
    "dataset": N_("Dataset"),
    "purpose_datasets": N_("Datasets"),
    "period": N_("Period"),
    "condition": N_("Condition"),
    "applies": N_("Applied on this node"),
    "country": N_("Country"),
    "name": N_("Name"),
    "address": N_("Address"),
    "key_id": N_("Key ID"),
    "yes": N_("yes"),
    "no": N_("no, the capability is not installed"),
    "not_set": N_("not set: ask the node administrator to set [dpo] contact"),
    "no_partners": N_("No partner nodes in the trust store."),
    "own_officers": N_(
        "Officers of this node, by role (officer, control room, contact point, analyst, DPO)."
    ),
}


def build_records(
    settings: NodeSettings,
    partners: Iterable[PartnerEntry],
    rules: Sequence[RetentionRule],
    existing_tables: set[str],
    lang: str,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The records of processing of this node, in ``lang``."""

    def t(text: str) -> str:
        return gettext(lang, text)

    moment = now or dt.datetime.now(dt.UTC)
    used: set[str] = set()
    purposes = []
    for p in cat.PURPOSES:
        used.update(p.datasets)
        purposes.append(
            {
                "purpose": p.purpose.value,
                "title": t(p.title),
                "description": t(p.description),
                "datasets": [t(cat.DATASETS[d].title) for d in p.datasets],
                "legal_bases": list(p.legal_bases),
            }
        )
    used.add("audit_log")
    datasets = [
        {
            "dataset": d.name,
            "title": t(d.title),
            "data": [t(x) for x in d.data],
            "subjects": [t(x) for x in d.subjects],
        }
        for name, d in cat.DATASETS.items()
        if name in used
    ]
    recipients = [
        {
            "country": p.country.value,
            "name": p.name,
            "address": p.base_url,
            "key_id": p.key_id,
        }
        for p in sorted(partners, key=lambda e: e.country.value)
    ]
    retention = [
        {
            "rule": r.name,
            "dataset": t(cat.DATASETS[r.dataset].title) if r.dataset in cat.DATASETS else r.dataset,
            "description": t(r.description) if r.description else "",
            "period": r.period.iso(),
            "period_days": round(r.period.approx_days(), 1),
            "condition": r.condition_text,
            "legal_basis": r.legal_basis,
            "applies": r.table in existing_tables,
        }
        for r in rules
    ]
    return {
        "language": lang,
        "labels": {k: t(v) for k, v in LABELS.items()},
        "node": settings.country.value,
        "controller": settings.dpo.controller or settings.name,
        "dpo": settings.dpo.contact,
        "generated_at": moment.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "purposes": purposes,
        "datasets": datasets,
        "recipients": recipients,
        "internal_recipients": t(LABELS["own_officers"]),
        "retention": retention,
        "security": [t(s) for s in cat.SECURITY_MEASURES],
        "profiling": t(cat.PROFILING),
        "transfers": t(cat.TRANSFERS),
    }


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(head: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*out, ""]


def to_markdown(doc: dict[str, Any]) -> str:
    """The records as a Markdown document (what ``build_records`` gave, nothing more)."""
    lab = doc["labels"]
    lines = [
        f"# {lab['title']} — {doc['controller']}",
        "",
        f"*{lab['subtitle']}*",
        "",
        f"- **{lab['controller']}**: {doc['controller']} ({doc['node']})",
        f"- **{lab['dpo']}**: {doc['dpo'] or lab['not_set']}",
        f"- **{lab['generated']}**: {doc['generated_at']}",
        "",
        f"## {lab['purposes']}",
        "",
    ]
    for p in doc["purposes"]:
        lines += [f"### {p['title']} (`{p['purpose']}`)", "", p["description"], ""]
        lines += [f"- **{lab['purpose_datasets']}**: " + ", ".join(p["datasets"])]
        lines += [f"- **{lab['legal_bases']}**: " + "; ".join(p["legal_bases"]), ""]
    lines += [f"## {lab['datasets']}", ""]
    lines += _table(
        (lab["dataset"], lab["data"], lab["subjects"]),
        ((d["title"], ", ".join(d["data"]), ", ".join(d["subjects"])) for d in doc["datasets"]),
    )
    lines += [f"## {lab['recipients']}", ""]
    if doc["recipients"]:
        lines += _table(
            (lab["country"], lab["name"], lab["address"], lab["key_id"]),
            ((r["country"], r["name"], r["address"], r["key_id"]) for r in doc["recipients"]),
        )
    else:
        lines += [lab["no_partners"], ""]
    lines += [doc["internal_recipients"], ""]
    lines += [f"## {lab['retention']}", ""]
    lines += _table(
        (lab["dataset"], lab["period"], lab["condition"], lab["legal_bases"], lab["applies"]),
        (
            (
                f"{r['dataset']} ({r['rule']})",
                r["period"],
                r["condition"] or "—",
                r["legal_basis"],
                lab["yes"] if r["applies"] else lab["no"],
            )
            for r in doc["retention"]
        ),
    )
    lines += [f"## {lab['security']}", ""]
    lines += [f"- {s}" for s in doc["security"]] + [""]
    lines += [f"## {lab['profiling']}", "", doc["profiling"], ""]
    lines += [f"## {lab['transfers']}", "", doc["transfers"], ""]
    return "\n".join(lines)
