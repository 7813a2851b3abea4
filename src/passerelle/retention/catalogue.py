"""The rules a node applies: built-in defaults, registered rules, then its configuration.

Built-in defaults (docs/data-protection.md has the table):

- ANPR camera reads per jurisdiction (DESIGN.md): NL and LU 28 days, BE 12
  months, DE no-hit reads deleted at once (they should never be stored; the
  rule is the safety net) and hit reads 28 days. A node applies the rules of
  its own jurisdiction (``[retention] jurisdiction``, default the node's
  country): camera reads never leave their country.
- checks, follow-up requests, hit/no-hit references, joint patrols, settled
  outbox messages (pending ones are never deleted) and the audit entries
  themselves, each with a default period.

Order of precedence, by rule name: built-in < ``register_rule`` <
``[[retention.rules]]``; ``[retention.periods]`` then sets the period of any
rule by name.
"""

from __future__ import annotations

from passerelle.domain.countries import Country
from passerelle.exc import ConfigError, InvalidInput
from passerelle.retention.period import Period
from passerelle.retention.rules import RetentionRule, condition_of, registered_rules
from passerelle.settings import NodeSettings
from passerelle.web.error_texts import N_

LED_ART5 = "Directive (EU) 2016/680 Art. 4(1)(e) and 5 (storage limitation, time limits)"
TREATY = "Benelux Police Treaty (2018)"

# Camera reads: how long, and the national law that says so.
ANPR_READS: dict[Country, tuple[str, str]] = {
    Country.NL: ("P28D", "NL: Wetboek van Strafvordering art. 126jj (28 days)"),
    Country.BE: (
        "P12M",
        "BE: Loi sur la fonction de police / Wet op het politieambt art. 44/11/3decies",
    ),
    Country.LU: ("P28D", "LU: projet de loi ANPR (2025), as NL"),
    Country.DE: ("P28D", "DE: hits only; no-hit reads are deleted at once, without trace"),
}
AUDIT_PERIOD: dict[Country, tuple[str, str]] = {
    Country.BE: ("P3Y", "LED Art. 25; BE: loi du 30 juillet 2018 art. 56"),
    Country.NL: ("P3Y", "LED Art. 25; NL: Wet politiegegevens art. 32a"),
    Country.LU: ("P3Y", "LED Art. 25; LU: loi du 1er août 2018 (police) art. 24"),
    Country.DE: ("P1Y", "LED Art. 25; DE: BDSG § 76(4) (end of the following year at the latest)"),
}


def builtin_rules(jurisdiction: Country) -> list[RetentionRule]:
    reads_period, reads_law = ANPR_READS[jurisdiction]
    audit_period, audit_law = AUDIT_PERIOD[jurisdiction]
    anpr_basis = f"{TREATY} Art. 13(6) and its ANPR implementing agreement; {reads_law}"
    rules = [
        RetentionRule(
            name="checks",
            dataset="checks",
            table="checks",
            timestamp_column="created_at",
            period=Period.parse("P90D"),
            legal_basis=f"{LED_ART5}; {TREATY} Art. 16(5) (joint controls)",
            description=N_("Person, vehicle and document checks and their results"),
        ),
        RetentionRule(
            name="follow_up_requests",
            dataset="follow_up_requests",
            table="follow_up_requests",
            timestamp_column="created_at",
            period=Period.parse("P2Y"),
            legal_basis=f"{LED_ART5}; Directive (EU) 2023/977 Art. 4-5",
            description=N_("Follow-up requests on hit/no-hit references and their answers"),
        ),
        RetentionRule(
            name="hit_references",
            dataset="hit_references",
            table="hit_references",
            timestamp_column="expires_at",
            period=Period.parse("P30D"),
            legal_basis=f"{LED_ART5}; Council Decision 2008/615/JHA (Prüm) Art. 5",
            description=N_(
                "Hit/no-hit references handed out to partner nodes, counted from their expiry"
            ),
        ),
        RetentionRule(
            name="patrols",
            dataset="patrols",
            table="joint_patrols",
            timestamp_column="ended_at",
            period=Period.parse("P1Y"),
            legal_basis=f"{LED_ART5}; {TREATY} Art. 16 (joint patrols)",
            # Crew rows and the outbox of copies go with their patrol: ON DELETE CASCADE
            # (migration 0008), never on a clock of their own.
            description=N_("Joint patrols, counted from the end of the patrol"),
        ),
        RetentionRule(
            name="anpr_reads",
            dataset="anpr_reads",
            table="anpr_reads",
            timestamp_column="read_at",
            period=Period.parse(reads_period),
            legal_basis=anpr_basis,
            jurisdiction=jurisdiction,
            description=N_("ANPR camera reads (plate, camera, time, picture reference)"),
        ),
        RetentionRule(
            name="anpr_hits",
            dataset="anpr_hits",
            table="anpr_hits",
            timestamp_column="created_at",
            period=Period.parse(reads_period),
            legal_basis=anpr_basis,
            jurisdiction=jurisdiction,
            description=N_("ANPR hits against shared reference data and their acknowledgements"),
        ),
        RetentionRule(
            name="anpr_quarantine",
            dataset="anpr_reads",
            table="anpr_quarantine",
            timestamp_column="received_at",
            period=Period.parse("P1D" if jurisdiction is Country.DE else "P7D"),
            legal_basis=f"{anpr_basis}; kept only to correct and resend rejected reads",
            jurisdiction=jurisdiction,
            description=N_("ANPR camera reads set aside by the ingest (bad time, unknown camera)"),
        ),
        RetentionRule(
            name="outbox_delivered",
            dataset="outbox",
            table="outbox_messages",
            timestamp_column="settled_at",
            period=Period.parse("P7D"),
            legal_basis=f"{LED_ART5}; the message was delivered to the partner",
            jurisdiction=jurisdiction,
            condition=condition_of({"state": "delivered"}),
            description=N_("Copies of messages delivered to partner nodes"),
        ),
        RetentionRule(
            name="outbox_rejected",
            dataset="outbox",
            table="outbox_messages",
            timestamp_column="settled_at",
            period=Period.parse("P90D"),
            legal_basis=f"{LED_ART5}; kept for the administrators to resolve the refusal",
            jurisdiction=jurisdiction,
            condition=condition_of({"state": "rejected"}),
            description=N_("Messages a partner node refused"),
        ),
        RetentionRule(
            name="audit_entries",
            dataset="audit_log",
            table="audit_entries",
            timestamp_column="at",
            period=Period.parse(audit_period),
            legal_basis=audit_law,
            jurisdiction=jurisdiction,
            target="audit",
            description=N_("Audit log entries (the log keeps its chain verifiable)"),
        ),
    ]
    if jurisdiction is Country.DE:
        rules.insert(
            next(i for i, r in enumerate(rules) if r.name == "anpr_reads"),
            RetentionRule(
                name="anpr_reads_no_hit",
                dataset="anpr_reads",
                table="anpr_reads",
                timestamp_column="read_at",
                period=Period(),
                legal_basis=f"{TREATY} Art. 13(6); DE: BVerfG 1 BvR 142/15 (no-hit reads "
                "deleted at once)",
                jurisdiction=jurisdiction,
                condition=condition_of({"hit": False}),
                description=N_("ANPR camera reads without a hit"),
            ),
        )
    return rules


def _period(value: str | int, where: str) -> Period:
    try:
        return Period.parse(value)
    except InvalidInput as e:
        raise ConfigError(f"{where}: {e.detail}") from None


def node_rules(settings: NodeSettings) -> list[RetentionRule]:
    """Every rule the node applies, in a stable order (built-in first, then the others)."""
    cfg = settings.retention
    jurisdiction = cfg.jurisdiction or settings.country
    rules: dict[str, RetentionRule] = {r.name: r for r in builtin_rules(jurisdiction)}
    for rule in registered_rules():
        rules[rule.name] = rule
    for extra in cfg.rules:
        where = f"[[retention.rules]] {extra.name}"
        rules[extra.name] = RetentionRule(
            name=extra.name,
            dataset=extra.dataset or extra.table,
            table=extra.table,
            timestamp_column=extra.timestamp_column,
            period=_period(extra.period, where),
            legal_basis=extra.legal_basis,
            description=extra.description,
            jurisdiction=jurisdiction,
            condition=condition_of(dict(extra.condition)),
            source="configuration",
        )
    unknown = sorted(set(cfg.periods) - set(rules))
    if unknown:
        raise ConfigError(
            f"[retention.periods] names unknown rules: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(rules))})"
        )
    for name, value in cfg.periods.items():
        rules[name] = rules[name].with_period(
            _period(value, f"[retention.periods] {name}"), "configuration"
        )
    return list(rules.values())
