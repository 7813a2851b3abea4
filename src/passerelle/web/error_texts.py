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
    # patrol log (passerelle.ops.patrol_log)
    "patrol_not_active": N_("The joint patrol is not on duty: positions are taken only then."),
    "patrol_tracking_off": N_(
        "Positions are switched off for this patrol. Switch them on first if the crew agrees."
    ),
    "position_invalid": N_(
        "The position is not valid: give latitude and longitude in degrees (WGS 84)."
    ),
    "time_invalid": N_("The time is not valid. Use the form 2026-11-23T14:05:00+01:00."),
    "time_in_future": N_("The time is in the future. Check the device's clock."),
    "incident_category_invalid": N_("Choose one of the incident categories."),
    "incident_text_missing": N_("Describe the incident in a few words."),
    "incident_text_too_long": N_("The description is too long (at most {limit} characters)."),
    # cross-border pursuits (passerelle.ops.pursuits*)
    "position_too_fast": N_(
        "Position rejected: reaching it would take {speed} km/h (limit {limit} km/h). It is "
        "recorded as rejected; check the position and send it again if it was mistyped."
    ),
    "position_in_future": N_(
        "Position rejected: its time is in the future. Check the device's clock; the position "
        "is recorded as rejected."
    ),
    "position_too_old": N_(
        "Position rejected: its time is long before the pursuit was opened. It is recorded "
        "as rejected."
    ),
    "pursuit_not_found": N_("There is no such pursuit at this node. Check the pursuit number."),
    "pursuit_ended": N_("This pursuit has ended: it takes no more positions or changes."),
    "pursuit_not_local": N_("This pursuit is run by the {country} node: change it there."),
    "pursuit_conflict": N_("This pursuit was changed in the meantime. Reload and try again."),
    "pursuit_subject_missing": N_("Say what is pursued (vehicle, plate, description)."),
    "pursuit_reason_missing": N_("Say why it is pursued."),
    "pursuit_too_many_units": N_("A pursuit lists at most {limit} units."),
    "pursuit_outcome_invalid": N_(
        "Choose an outcome: arrested, stopped, handed over, lost, abandoned or other."
    ),
    "pursuit_export_format": N_("Choose an export format: JSON, CSV, HTML or PDF."),
    "notification_not_found": N_("There is no such notification at this node."),
    "notification_malformed": N_("The partner node sent a notification this node cannot read."),
    "notification_not_origin": N_("Only the node that runs a pursuit may notify about it."),
    "notification_not_ours": N_("This notification is meant for another country."),
    "notification_not_yours": N_("Only the notified country may acknowledge this notification."),
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
    # joint actions (passerelle.ops.actions*)
    "action_not_found": N_("This joint action is not known to this node. Check its number."),
    "action_id_invalid": N_("This is not a joint action number (for example BE-A1f0c2a9e4b7d)."),
    "action_malformed": N_("The joint action data could not be read. Check what you entered."),
    "action_time_invalid": N_("{field}: enter a date and time."),
    "action_times_invalid": N_("The action must end after it starts, and last 14 days at most."),
    "action_country_invalid": N_(
        "{value} cannot take part in a joint action. Choose among {allowed}."
    ),
    "action_needs_partners": N_("A joint action needs at least two countries."),
    "action_service_invalid": N_("{value} is not a service taking part. Choose among {allowed}."),
    "action_field_missing": N_("{field} is missing. Fill it in."),
    "action_field_too_long": N_("{field} is too long: at most {limit} characters."),
    "action_checkpoint_invalid": N_(
        "A checkpoint number is letters, digits, '.', '_' or '-', and each is used once."
    ),
    "action_position_invalid": N_(
        "Checkpoint {checkpoint}: enter a latitude (±90) and a longitude (±180)."
    ),
    "action_checkpoints_count": N_("Give between 1 and {limit} checkpoints."),
    "action_metric_invalid": N_(
        "{value} is not a figure that can be shared. Choose among {allowed}."
    ),
    "action_submission_id_invalid": N_(
        "The submission number must be 6 to 64 letters, digits, '.', '_', ':' or '-'."
    ),
    "action_count_invalid": N_("{field}: enter a whole number between 0 and 100,000."),
    "action_quantity_invalid": N_("Enter a positive quantity."),
    "action_seizure_type_invalid": N_("Unknown type of seizure. Choose among {allowed}."),
    "action_unit_invalid": N_("Unknown unit. Choose among {allowed}."),
    "action_fines_invalid": N_("A fine amount needs the number of fines."),
    "action_not_participant": N_("{country} does not take part in this joint action."),
    "action_checkpoint_unknown": N_("This checkpoint is not in the plan of the action."),
    "action_time_outside": N_("The time is outside the period of the action."),
    "action_conflict": N_("This joint action number is already used by another organiser."),
    "action_result_conflict": N_(
        "Submission {submission_id} was already registered with other figures. Nothing was "
        "changed: to correct it, register a new submission."
    ),
    "action_not_own_country": N_("Results of {country} are registered at that country's own node."),
    "action_not_organiser": N_("Only the organising node can do this."),
    "action_not_for_us": N_("This node does not take part in the joint action."),
    "action_not_sender": N_("A node may only send its own country's figures and records."),
    "action_report_languages": N_("Choose up to four report languages among {allowed}, or all."),
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
    # ANPR reads: ingest, lawful access, historic search (passerelle.anpr, ingest)
    "anpr_reads_body": N_(
        "The request must be a JSON object with the list of camera reads under “reads”. "
        "Check what the camera system sends."
    ),
    "anpr_batch_too_large": N_(
        "Too many reads in one request (at most {limit}). Send them in smaller batches."
    ),
    "invalid_camera": N_("This camera description is not valid: it needs an id and a country."),
    "anpr_legal_ref_required": N_(
        "Searching stored camera reads in {country} needs the reference of the public "
        "prosecutor's order. Enter it and try again."
    ),
    "anpr_decision_required": N_(
        "Camera reads older than one month can only be searched with the reference of the "
        "written decision of the procureur du Roi. Enter it, or search the last month only."
    ),
    "anpr_outside_window": N_(
        "The time range starts before the reads this node may search ({since}). Start it later."
    ),
    "anpr_legal_ref_invalid": N_("The legal reference must be 3 to 200 characters long."),
    "anpr_bad_range": N_(
        "The time range is not valid: give a start and an end with a time zone, the start "
        "before the end."
    ),
    "anpr_search_criteria": N_("Give a plate or an area to search for."),
    "anpr_search_plate": N_("This cannot be a number plate. Check the characters."),
    "anpr_justification_required": N_("Say why you search: enter a justification."),
    "anpr_plate_invalid": N_("This cannot be a number plate. Check the characters."),
    # ANPR hotlists and hits (passerelle.anpr, exchange between nodes)
    "hotlist_entry_no_plate": N_("The entry has no number plate. Add the plate."),
    "hotlist_entry_bad_plate": N_("The plate cannot be used ({reason}). Check the characters."),
    "hotlist_entry_bad_country": N_(
        "“{value}” is not a country code. Use two letters, for example BE or NL."
    ),
    "hotlist_entry_no_assessment": N_(
        "The entry has no sharing assessment. Record the individual assessment that allows "
        "sharing it."
    ),
    "hotlist_entry_no_expiry": N_(
        "The entry has no expiry date. Give the date after which it must no longer be matched."
    ),
    "hotlist_entry_bad_expiry": N_("The expiry is not a date. Use the form 2026-12-31."),
    "hotlist_entry_expired": N_("The expiry date has already passed. Give a date in the future."),
    "hotlist_entry_expiry_too_far": N_(
        "The expiry is more than {days} days ahead. Choose an earlier date and renew the entry "
        "when needed."
    ),
    "hotlist_entry_no_reason": N_("The entry has no reason. Say why the vehicle is wanted."),
    "hotlist_entry_no_contact": N_("The entry has no contact. Give the desk to call on a hit."),
    "hotlist_entry_too_long": N_(
        "The field “{field}” is longer than {limit} characters. Shorten it."
    ),
    "hotlist_entry_bad_category": N_("Unknown category “{value}”. Use one of: {allowed}."),
    "hotlist_entry_bad_action": N_("Unknown action “{value}”. Use one of: {allowed}."),
    "hotlist_entry_bad_ref": N_(
        "The entry reference may hold only letters, digits and . _ : - (48 at most)."
    ),
    "hotlist_entry_other_list": N_(
        "This entry reference is already used in another hotlist. Use another reference."
    ),
    "hotlist_entry_not_owner": N_(
        "This entry belongs to another node: only its owner can send or change it."
    ),
    "hotlist_entry_not_found": N_("There is no such hotlist entry at this node."),
    "hotlist_entry_not_own": N_("This entry belongs to the {country} node: change it there."),
    "hotlist_entry_inactive": N_("The entry is removed or expired. Add it again to share it."),
    "hotlist_bad_name": N_("Give the hotlist a name (200 characters at most)."),
    "hotlist_bad_tolerance": N_("The tolerance must be between 0 and 4 confused characters."),
    "hotlist_not_found": N_("There is no such hotlist at this node."),
    "hotlist_partner_unknown": N_(
        "{value} is not a partner node of this node. Choose a country from the trust store."
    ),
    "hotlist_batch_too_large": N_("Too many entries at once (limit: {limit}). Split the file."),
    "hotlist_bad_feed": N_("The hotlist message is not valid."),
    "anpr_hit_not_found": N_("There is no such hit at this node."),
    "anpr_hit_not_local": N_(
        "This hit was read by a camera of {country}: its control room acknowledges it."
    ),
    "anpr_hit_already_disposed": N_("This hit already has a disposition ({disposition})."),
    "anpr_bad_disposition": N_("Unknown disposition “{value}”. Use one of: {allowed}."),
    "anpr_hit_malformed": N_("The hit message is not valid."),
    "anpr_hit_not_reporter": N_("Only the node whose camera read the plate can send this hit."),
    "anpr_hit_not_ours": N_("The hit is not on a hotlist entry of this node."),
    "anpr_hit_not_shared": N_("This hotlist entry was never shared with your node."),
    "anpr_hit_unknown": N_("This node has no such hit from your node."),
    "anpr_federation_malformed": N_("The message is not valid JSON."),
    # ANPR matching kernel and `passerelle anpr match` (passerelle.anpr, kernel)
    "anpr_file_format": N_("The file {file} has an unknown type. Use a .csv or .parquet file."),
    "anpr_file_unreadable": N_(
        "The file {file} cannot be read. Check the path, the format and the encoding."
    ),
    "anpr_file_missing_columns": N_(
        "The file {file} lacks the columns {columns}. See the ANPR documentation."
    ),
    "anpr_bad_tolerance": N_(
        "The OCR tolerance is out of range: 0 to 10 confusions, an indel only from 2 characters on."
    ),
    "anpr_batch_mismatch": N_(
        "The batch has a different number of plates and countries. Send one country "
        "(or none) per plate."
    ),
    "file_not_found": N_("The file does not exist. Check the path."),
    "reads_file_columns": N_(
        "The reads file lacks the columns {missing}. See the ANPR documentation."
    ),
    "simulator_bad_target": N_(
        "Give each node as CC=URL, for example BE=http://127.0.0.1:8401 (not “{value}”)."
    ),
    "simulator_refused": N_(
        "The node refused the camera reads (HTTP {status}). Check the token's role "
        "and the camera registry."
    ),
    "partner_unavailable": N_("The node cannot be reached. Check that it runs, then try again."),
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
