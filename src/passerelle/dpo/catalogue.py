"""What the node processes, described as data for the records of processing (LED Art. 24).

Each dataset has its categories of personal data and of data subjects; each
purpose its datasets and legal bases. Texts are English msgids marked with
``N_`` (translated when the document is rendered); legal references are proper
names and stay as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from passerelle.domain.purpose import Purpose
from passerelle.web.error_texts import N_

LED = "Directive (EU) 2016/680 (LED)"
TREATY = "Benelux Police Treaty (2018)"


@dataclass(frozen=True)
class DatasetInfo:
    name: str
    title: str
    data: tuple[str, ...]
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class PurposeInfo:
    purpose: Purpose
    title: str
    description: str
    datasets: tuple[str, ...]
    legal_bases: tuple[str, ...]


PERSONS_DATA = (N_("names"), N_("date and place of birth"), N_("national identification number"))
REGISTER_DATASETS = (
    "population",
    "wanted_persons",
    "vehicles",
    "stolen_vehicles",
    "documents",
    "police_records",
)

DATASETS: dict[str, DatasetInfo] = {
    "population": DatasetInfo(
        "population",
        N_("Population register"),
        (*PERSONS_DATA, N_("sex and nationality"), N_("address")),
        (N_("residents registered in the country"),),
    ),
    "wanted_persons": DatasetInfo(
        "wanted_persons",
        N_("Wanted and missing persons"),
        (*PERSONS_DATA[:2], N_("alert type and reason"), N_("contact point of the alert")),
        (N_("wanted persons"), N_("missing persons")),
    ),
    "vehicles": DatasetInfo(
        "vehicles",
        N_("Vehicle register"),
        (N_("number plate and vehicle details"), N_("registered holder's name and number")),
        (N_("registered holders of vehicles"),),
    ),
    "stolen_vehicles": DatasetInfo(
        "stolen_vehicles",
        N_("Stolen vehicles and plates"),
        (N_("number plate and vehicle details"), N_("date reported stolen")),
        (N_("owners of stolen vehicles"),),
    ),
    "documents": DatasetInfo(
        "documents",
        N_("Identity and travel documents"),
        (N_("document number, type and status"), N_("holder's national identification number")),
        (N_("holders of lost, stolen or revoked documents"),),
    ),
    "police_records": DatasetInfo(
        "police_records",
        N_("Police records (hit/no-hit only)"),
        (*PERSONS_DATA, N_("category of the record")),
        (N_("suspects and convicted persons"),),
    ),
    "checks": DatasetInfo(
        "checks",
        N_("Checks and their results"),
        (N_("search criteria entered by the officer"), N_("results returned per source")),
        (N_("persons checked"), N_("officers who checked")),
    ),
    "follow_up_requests": DatasetInfo(
        "follow_up_requests",
        N_("Follow-up requests"),
        (N_("hit/no-hit reference"), N_("justification and case reference"), N_("fields granted")),
        (N_("persons concerned by a hit"), N_("officers who asked and answered")),
    ),
    "hit_references": DatasetInfo(
        "hit_references",
        N_("Hit/no-hit references"),
        (N_("opaque reference to a register record"), N_("requesting country and purpose")),
        (N_("persons concerned by a hit"),),
    ),
    "patrols": DatasetInfo(
        "patrols",
        N_("Joint patrols"),
        (N_("crew members' user names"), N_("times, area and vehicle of the patrol")),
        (N_("officers of the joint patrol"),),
    ),
    "anpr_reads": DatasetInfo(
        "anpr_reads",
        N_("ANPR camera reads"),
        (N_("number plate, camera, time and picture reference"),),
        (N_("drivers and holders of vehicles passing a camera"),),
    ),
    "anpr_hits": DatasetInfo(
        "anpr_hits",
        N_("ANPR hits"),
        (N_("number plate, camera, time"), N_("matching reference data entry")),
        (N_("drivers and holders of wanted vehicles"),),
    ),
    "audit_log": DatasetInfo(
        "audit_log",
        N_("Audit log"),
        (
            N_("officer's pseudonymous identifier, role and unit"),
            N_("purpose, legal reference and justification"),
            N_("search criteria (encrypted for the DPO)"),
        ),
        (N_("officers"), N_("persons checked")),
    ),
}

PURPOSES: tuple[PurposeInfo, ...] = (
    PurposeInfo(
        Purpose.JOINT_CONTROL,
        N_("Joint controls and mixed patrols"),
        N_(
            "Officers in a joint control or mixed patrol check persons, vehicles and documents "
            "directly against the registers of the partner countries."
        ),
        (*REGISTER_DATASETS, "checks", "patrols", "hit_references"),
        (f"{TREATY} Art. 16(5) and its implementing agreement", f"{LED} Art. 8"),
    ),
    PurposeInfo(
        Purpose.JOINT_POST,
        N_("Joint police posts"),
        N_("Officers at a joint police post consult the partner countries' registers."),
        (*REGISTER_DATASETS, "checks", "hit_references"),
        (f"{TREATY} Art. 15(5) and its implementing agreement", f"{LED} Art. 8"),
    ),
    PurposeInfo(
        Purpose.INVESTIGATION,
        N_("Criminal investigations"),
        N_(
            "Investigators ask partner countries for the details behind a hit, with a case "
            "reference, within the legal deadlines."
        ),
        (*REGISTER_DATASETS, "checks", "follow_up_requests", "hit_references"),
        (
            "Directive (EU) 2023/977 Art. 4-5",
            "Council Decision 2008/615/JHA (Prüm) Art. 5",
            f"{LED} Art. 8",
        ),
    ),
    PurposeInfo(
        Purpose.ANPR_FOLLOWUP,
        N_("Follow-up of ANPR hits"),
        N_(
            "Wanted plates are shared as reference data after an individual assessment; hits "
            "from the partners' cameras are followed up by the control room."
        ),
        ("vehicles", "stolen_vehicles", "anpr_reads", "anpr_hits"),
        (f"{TREATY} Art. 13(6) and its ANPR implementing agreement", f"{LED} Art. 8"),
    ),
)

SECURITY_MEASURES: tuple[str, ...] = (
    N_("Registers stay at the source: partners ask, the providing node decides what to reveal."),
    N_(
        "Every consultation, disclosure and erasure is logged at both ends in a hash-chained "
        "audit log whose head is signed with the node key; anyone with the public key can "
        "verify it."
    ),
    N_(
        "Search criteria in the audit log are encrypted for the DPO; subject identifiers are "
        "kept only as keyed hashes."
    ),
    N_(
        "Node-to-node requests and answers are signed (HTTP Message Signatures, Ed25519) with "
        "replay protection; TLS in production."
    ),
    N_("Officers sign in through the force's identity provider; each page and API checks roles."),
    N_("A retention job deletes data past its period and logs counts and time ranges."),
)

PROFILING = N_(
    "No automated decision-making or profiling: every match is shown to an officer with the "
    "features that made it."
)
TRANSFERS = N_(
    "No transfers to third countries or international organisations: all partner nodes are "
    "competent authorities of EU Member States."
)
