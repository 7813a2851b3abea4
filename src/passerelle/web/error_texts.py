"""The English source texts of the messages people see for each error code.

Each text says what went wrong and what to do next; ``{name}`` placeholders
are filled from the error's ``params``. Texts are only *marked* here (``N_``);
``passerelle.web.i18n.error_message`` translates and fills them.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark only"
    """Mark a string for extraction without translating it here."""
    return message


ERROR_TEXTS: dict[str, str] = {
    # generic, one per exception class
    "internal_error": N_(
        "Something went wrong on this node. Try again; if the problem persists, "
        "contact the node administrator."
    ),
    "invalid_input": N_("The input is not valid. Check what you entered and try again."),
    "config_error": N_("This node is not configured correctly. Contact the node administrator."),
    "not_found": N_("The page or item you asked for does not exist. Check the address."),
    "unauthorized": N_("You need to sign in to do this."),
    "forbidden": N_("You are not allowed to do this."),
    "payload_too_large": N_(
        "The request is too large (limit: {limit} bytes). Send less data at once."
    ),
    "import_rejected": N_(
        "The import was rejected and nothing was written. Correct the file and import it again."
    ),
    "partner_error": N_(
        "A partner node could not be reached or gave an invalid answer. Try again later."
    ),
    "method_not_allowed": N_("This action is not possible on this address."),
    "validation_error": N_(
        "Some fields of the request are missing or not valid. Check them and try again."
    ),
    # input
    "unknown_country": N_("Unknown country code “{value}”. Use one of: {allowed}."),
    "no_country": N_("Choose at least one country."),
    "unknown_role": N_("Unknown role “{value}”. Use one of: {allowed}."),
    "no_role": N_("Give at least one role."),
    "unknown_dataset": N_("Unknown dataset “{dataset}”."),
    "unknown_language": N_("Unknown language “{value}”. Choose FR, NL, DE or EN."),
    "missing_search_key": N_(
        "Enter at least one search criterion, for example an identification number or a name."
    ),
    "invalid_national_id": N_(
        "This is not a valid national identification number for {country}: {reason}. "
        "Check the digits."
    ),
    "invalid_plate": N_(
        "This is not a valid {country} number plate. Check the characters and the country."
    ),
    "invalid_document_number": N_(
        "This is not a valid document number for {country}. Check the characters and "
        "the check digit."
    ),
    "invalid_date": N_("This date is not valid. Use the format YYYY-MM-DD."),
    "invalid_row": N_("Invalid value in column “{column}”: {reason}."),
    # sign-in and tokens
    "login_failed": N_("Wrong user name or password. Check both and try again."),
    "token_missing": N_("You are not signed in. Sign in and try again."),
    "token_scheme": N_("The Authorization header must have the form “Bearer <token>”."),
    "token_expired": N_("Your session has expired. Sign in again."),
    "token_audience": N_(
        "Your sign-in was issued for another application. Sign in to this node again."
    ),
    "token_issuer": N_(
        "Your sign-in comes from an identity provider this node does not accept. "
        "Sign in through your force's identity provider."
    ),
    "token_invalid": N_("Your sign-in is not valid. Sign in again."),
    "token_unknown_key": N_(
        "Your sign-in was signed with a key this node does not know. Sign in again; "
        "if the problem persists, contact the node administrator."
    ),
    "token_keys_unreachable": N_(
        "The identity provider cannot be reached to check your sign-in. Try again in a moment."
    ),
    "role_required": N_("Your role does not allow this. Required role: {roles}."),
    # node-to-node signatures
    "signature_missing": N_("The request from the partner node is not signed and was refused."),
    "signature_invalid": N_("The partner node's signature is not valid; the request was refused."),
    "signature_expired": N_(
        "The partner node's signature is too old or dated in the future. "
        "Check that the clocks of both nodes are synchronised."
    ),
    "signature_replayed": N_("This request was already received once and was refused as a replay."),
    "signature_unknown_key": N_(
        "The request is signed with a key that is not in this node's trust store. "
        "Ask the node administrator to check the partner's key."
    ),
    "digest_mismatch": N_(
        "The message was altered in transit: its content does not match its digest."
    ),
    # checks, policy and joint patrols (passerelle.checks, .policy, .ops)
    "query_empty": N_("Enter what you know about the person, vehicle or document to check."),
    "query_too_vague": N_(
        "This is not enough to search. Give a family name, an identification number or a "
        "document number (a person), a number plate or a VIN (a vehicle), or a document number."
    ),
    "query_too_short": N_("Enter at least two letters in “{field}”."),
    "sex_invalid": N_("Sex must be M, F or X."),
    "country_code_invalid": N_(
        "“{field}” is not a country code. Use two letters, for example BE, NL, LU or DE."
    ),
    "identifier_invalid": N_("“{field}” must have 5 to 20 letters and digits."),
    "plate_invalid": N_("A number plate has 2 to 10 letters and digits. Check what you entered."),
    "vin_invalid": N_(
        "A VIN has 17 letters and digits, without I, O or Q. Check what you entered."
    ),
    "invalid_document_type": N_(
        "Unknown document type. Choose passport, identity card, driving licence or "
        "residence permit."
    ),
    "subject_invalid": N_("These search fields are not known: {fields}. Remove them."),
    "check_kind_unknown": N_("Only persons, vehicles and documents can be checked."),
    "context_invalid": N_("The purpose and references of the check are incomplete. Fill them in."),
    "justification_required": N_(
        "Give the reason for this check: every consultation is logged with its justification."
    ),
    "patrol_required": N_(
        "A joint-control check needs your joint patrol. Start the patrol or choose it, then "
        "check again."
    ),
    "case_ref_required": N_("A check for an investigation needs the case reference."),
    "reference_invalid": N_(
        "This reference is not valid: use up to 60 letters, digits and . _ / : # -"
    ),
    "patrol_refused": N_("The joint patrol does not allow this check."),
    "patrol_unknown": N_(
        "This joint patrol is not registered at this node. Check the patrol number."
    ),
    "patrol_not_started": N_("The joint patrol has not started yet. Start it first."),
    "patrol_ended": N_("The joint patrol has ended: checks in its name are no longer possible."),
    "provider_not_in_crew": N_(
        "The joint patrol has no officer of {country}, so its registers cannot be consulted."
    ),
    "requester_not_in_crew": N_(
        "You are not in the crew of this joint patrol. Ask for the crew to be completed."
    ),
    "policy_denied": N_("The treaty policy of this country does not allow this consultation."),
    "crew_empty": N_("A joint patrol needs at least one crew member."),
    "crew_too_large": N_("A joint patrol has at most {limit} crew members."),
    "crew_member_invalid": N_(
        "Write each crew member as COUNTRY:USER, for example BE:officer or NL:agent."
    ),
    "crew_member_unknown": N_("{member} is not an officer known to this node."),
    "patrol_id_invalid": N_("This is not a patrol number (for example BE-1f0c2a9e4b7d3c21)."),
    "patrol_not_found": N_("There is no such joint patrol at this node."),
    "patrol_not_local": N_("This joint patrol is managed by the {country} node: change it there."),
    "patrol_not_planned": N_("This joint patrol has already started or ended."),
    "patrol_conflict": N_("This joint patrol was changed in the meantime. Reload and try again."),
    "not_in_crew": N_("Only the crew of a joint patrol or the control room can change it."),
    "patrol_times_invalid": N_("The planned end of the patrol must be after its start."),
    "policy_invalid": N_(
        "The treaty policy file of this node is not valid. Contact the node administrator."
    ),
    "local_timeout": N_("This node's registers did not answer in time."),
    "local_search_failed": N_("This node's registers could not be searched. Try again."),
    "invalid_answer": N_("The partner node's answer could not be read."),
    "deadline_exceeded": N_(
        "The partner node received the check too late to answer within the time limit."
    ),
    "checks_busy": N_("Too many checks are in progress on this node. Try again in a moment."),
    # audit log (passerelle.audit)
    "audit_unavailable": N_(
        "The audit log could not record this action, so it was not carried out. Try again in "
        "a moment; if the problem persists, contact the node administrator."
    ),
    "audit_subject_invalid": N_(
        "This subject cannot be searched. Enter a national identification number, a document "
        "number, a number plate, or a family name and date of birth as name|YYYY-MM-DD."
    ),
    "audit_query_undecryptable": N_(
        "This query cannot be decrypted with this node's data protection key: it was written "
        "under another key."
    ),
    # retention and DPO tools (passerelle.retention, passerelle.dpo)
    "invalid_period": N_(
        "“{value}” is not a retention period. Use an ISO 8601 duration such as P28D or P12M."
    ),
    "retention_running": N_(
        "The retention job is already running on this node. Wait for it to finish and try again."
    ),
    "audit_exchange_unknown": N_(
        "This node has no audit entry for this exchange. Check the exchange ID; the other end "
        "may be logged only at the partner node."
    ),
    "audit_export_invalid": N_(
        "Line {line} of the file is not part of an audit export. Use the JSON lines file made "
        "by “passerelle audit export” at the partner node."
    ),
    # follow-up requests (passerelle.requests)
    "conflict": N_("This conflicts with the current state. Reload the page and try again."),
    "reference_unknown": N_(
        "The partner does not know this reference. Check that you copied it completely."
    ),
    "reference_not_yours": N_(
        "This reference was given to another country's node and cannot be used from here."
    ),
    "reference_expired": N_(
        "This reference expired on {expired_on}. Run the check again to get a new one."
    ),
    "unknown_urgency": N_("Unknown urgency “{value}”. Choose urgent or normal."),
    "partner_unknown": N_("{country} is not a partner of this node. Choose a partner country."),
    "request_reference_missing": N_(
        "Enter the reference shown with the hit (copy it from the check result)."
    ),
    "request_justification_missing": N_(
        "Give the justification for your request: why you need the record."
    ),
    "request_case_ref_missing": N_(
        "A request for an investigation needs the case reference. Enter it and send again."
    ),
    "request_not_delivered": N_(
        "Your request could not be delivered to the {country} node. Try again in a moment."
    ),
    "request_not_found": N_("There is no such request. Check the address or go back to the list."),
    "request_already_answered": N_(
        "This request has already been answered. Reload the queue to see the answer."
    ),
    "request_id_taken": N_("This request number is already in use. Send the request again."),
    "field_not_in_dataset": N_(
        "“{field}” is not a field of this record. Choose only fields from the list."
    ),
    "no_fields_chosen": N_("Choose at least one field to grant, or refuse the request."),
    "record_gone": N_(
        "The record behind this request is no longer in the register. Refuse the request "
        "and say why."
    ),
    "refusal_reason_missing": N_(
        "Give the reason for the refusal: the requesting officer will read it."
    ),
    "refusal_reason_too_long": N_("The reason is too long. Keep it under 2,000 characters."),
    "answer_invalid": N_(
        "The partner's answer was not valid and was not stored. It will be asked for again."
    ),
    # crime picture (passerelle.crime)
    "crime_bad_bands": N_(
        "The bands are not valid: widths must be positive, with at least one band and one "
        "permutation."
    ),
    "crime_bad_input": N_("The coordinates and the dates do not line up. Check the file."),
    "crime_too_few": N_(
        "There are too few incidents for this analysis. Widen the class or period."
    ),
    "crime_too_many": N_(
        "There are too many incidents for this analysis (limit: {limit}). Narrow the class or "
        "the period."
    ),
    "crime_unreadable_file": N_("The incident file cannot be read. Check its format and encoding."),
    "crime_missing_columns": N_(
        "The incident file lacks required columns ({columns}). See the crime picture documentation."
    ),
    "crime_unknown_format": N_("This file format is not known. Choose one of the listed formats."),
    "crime_bad_resolution": N_("Choose a grid resolution between {low} and {high}."),
    "crime_bad_iccs": N_(
        "“{iccs}” is not an ICCS class of the mapping table. Choose one from the list."
    ),
    "crime_bad_period": N_(
        "The period is not valid. Check the dates: the end comes after the start."
    ),
    "crime_share_refused": N_(
        "This partner node does not share its incidents with your node. Ask its administrator."
    ),
    "crime_bad_language": N_(
        "This language is not offered. Choose French, Dutch, German or English."
    ),
    "crime_bad_boundaries": N_(
        "The boundaries cannot be used: give a GeoJSON FeatureCollection of Polygon or "
        "MultiPolygon features in WGS 84 (longitude, latitude)."
    ),
}

FAMILY_TEXTS: dict[int, str] = {
    400: N_("The request could not be processed. Check it and try again."),
    401: N_("You need to sign in to do this."),
    403: N_("You are not allowed to do this."),
    404: N_("The page or item you asked for does not exist. Check the address."),
    500: N_(
        "This node could not complete the request. Try again; if the problem persists, "
        "contact the node administrator."
    ),
}

GENERIC_TEXT = N_("The request could not be completed. Try again.")

ROLE_TEXTS: dict[str, str] = {
    "officer": N_("Officer"),
    "control_room": N_("Control room"),
    "contact_point": N_("Contact point"),
    "analyst": N_("Analyst"),
    "dpo": N_("Data protection officer"),
    "admin": N_("Node administrator"),
}

# Parameter values that are stable keys rather than free text get translated too.
PARAM_TEXTS: dict[str, dict[str, str]] = {
    "reason": {
        "length": N_("wrong length"),
        "format": N_("wrong format"),
        "check_digit": N_("wrong check digit"),
        "impossible_date": N_("impossible or future date of birth"),
    },
    "field": {
        "given_names": N_("given names"),
        "family_name": N_("family name"),
        "national_id": N_("national identification number"),
        "document_number": N_("document number"),
        "nationality": N_("nationality"),
        "plate": N_("number plate"),
        "plate_country": N_("country of the plate"),
        "issuing_country": N_("issuing country"),
        "vin": N_("VIN"),
    },
}
# Parameters holding a comma-separated list of keys, each translated on its own.
LIST_PARAM_TEXTS: dict[str, dict[str, str]] = {"roles": ROLE_TEXTS}
