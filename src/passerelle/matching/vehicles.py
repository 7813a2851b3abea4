"""Vehicle matching: plates (OCR-tolerant, country-aware) and VINs.

Outcomes, best first, each its own explanation ``outcome``:

* ``exact`` — the plate as registered, in the country asked for (or none given);
* ``confusable`` — the same plate up to OCR-confusable characters (B/8, 0/O…);
* ``wrong_country`` — the plate (exact or confusable) is registered in another
  country than the one asked for: a real but different vehicle, most likely.

A VIN agreeing outweighs everything; a VIN that differs outweighs a plate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from passerelle.domain.plates import normalise_plate
from passerelle.exc import InvalidInput
from passerelle.matching.confusion import feature, text_outcome
from passerelle.matching.keys import confusion_key
from passerelle.matching.person import probability
from passerelle.matching.result import Match

if TYPE_CHECKING:
    from passerelle.registers.port import RegisterPort

VEHICLE_DATASETS = ("vehicles", "stolen_vehicles")
PLATE_EXACT = 6.0
PER_SUBSTITUTION = -3.0
COUNTRY = {"agree": 2.0, "unknown": 0.0, "disagree": -7.0}
VIN = {"agree": 12.0, "disagree": -10.0}
_OUTCOME_ORDER = {"exact": 0, "vin": 0, "confusable": 1, "wrong_country": 2, "vin_differs": 3}


def _score_row(
    row: dict[str, Any], plate: str | None, country: str | None, vin: str | None
) -> tuple[float, dict[str, Any]]:
    feats: list[dict[str, Any]] = []
    outcome = "no_plate"
    total = 0.0
    if plate:
        level, subs, classes = text_outcome(plate, str(row.get("plate") or ""))
        if level == "different":
            feats.append(feature("plate", "different", 0.0, "ocr_confusion_key"))
        else:
            w = PLATE_EXACT + PER_SUBSTITUTION * subs
            feats.append(
                feature("plate", level, w, "ocr_confusion_key", substitutions=subs,
                        confusion_classes=classes)
            )  # fmt: skip
            total += w
            outcome = level
            rc = str(row.get("plate_country") or "").upper()
            c_level = "unknown" if not country or not rc else (
                "agree" if rc == country else "disagree"
            )  # fmt: skip
            feats.append(feature("plate_country", c_level, COUNTRY[c_level], "exact"))
            total += COUNTRY[c_level]
            if c_level == "disagree":
                outcome = "wrong_country"
    record_vin = str(row.get("vin") or "")
    if vin and record_vin:
        v_level = "agree" if vin == record_vin else "disagree"
        feats.append(feature("vin", v_level, VIN[v_level], "exact"))
        total += VIN[v_level]
        if v_level == "agree" and outcome in ("no_plate", "wrong_country", "confusable"):
            outcome = "vin" if outcome == "no_plate" or not plate else outcome
        elif v_level == "disagree":
            outcome = "vin_differs"
    return probability(total), {
        "method": "identifier_agreement", "outcome": outcome, "log2_odds": total,
        "features": feats,
    }  # fmt: skip


def find_vehicle_matches(
    registers: RegisterPort,
    dataset: str,
    *,
    plate: str | None,
    plate_country: str | None,
    vin: str | None,
) -> list[Match]:
    """Vehicles of ``dataset`` for a plate (OCR-tolerant) and/or VIN, best first."""
    if dataset not in VEHICLE_DATASETS:
        raise InvalidInput(
            f"not a vehicle dataset: {dataset!r}", code="unknown_dataset", dataset=dataset
        )
    compact = normalise_plate(plate) if plate else None
    vin_c = vin.strip().upper().replace(" ", "") if vin else None
    if not compact and not vin_c:
        raise InvalidInput("give a plate or a VIN", code="missing_search_key")
    country = plate_country.strip().upper() if plate_country else None
    key = confusion_key(compact) if compact else None
    rows = registers.vehicle_candidates(dataset, plate_key=key, vin=vin_c)
    out: list[Match] = []
    for row in rows:
        score, explanation = _score_row(row, compact, country, vin_c)
        if explanation["features"]:
            record = {k: v for k, v in row.items() if k != "plate_key"}
            out.append(Match(dataset, record, round(score, 6), explanation))
    out.sort(key=lambda m: (_OUTCOME_ORDER.get(m.explanation["outcome"], 9), -m.score))
    return out
