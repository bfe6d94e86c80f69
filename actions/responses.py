"""Which domain response answers which core error: one table, one place."""

from __future__ import annotations

from bot import errors

# The most specific class wins (checked in method resolution order).
ERROR_RESPONSES: dict[type[errors.BotError], str] = {
    errors.EmptyIdentifier: "utter_identifier_empty",
    errors.NotDigits: "utter_imei_not_digits",
    errors.WrongLength: "utter_imei_wrong_length",
    errors.MissingCheckDigit: "utter_imei_missing_check_digit",
    errors.ImeiSvNotAccepted: "utter_imei_sv",
    errors.BadCheckDigit: "utter_imei_check_digit",
    errors.DegenerateNumber: "utter_identifier_degenerate",
    errors.InvalidSerial: "utter_serial_invalid",
    errors.ImeiGivenForAiot: "utter_aiot_needs_serial",
    errors.SerialGivenForPhone: "utter_phone_needs_imei",
    errors.InvalidIdentifier: "utter_identifier_invalid",
    errors.EmailMissingAt: "utter_email_missing_at",
    errors.EmailBadDomain: "utter_email_bad_domain",
    errors.EmailBadName: "utter_email_bad_name",
    errors.EmailSeveral: "utter_email_several",
    errors.InvalidEmail: "utter_email_invalid",
    errors.InvalidMiId: "utter_mi_id_invalid",
    errors.RegistryUnavailable: "utter_redemption_unavailable",
}


def response_for(error: errors.BotError) -> str:
    for cls in type(error).__mro__:
        if cls in ERROR_RESPONSES:
            return ERROR_RESPONSES[cls]
    raise LookupError(f"no response for {type(error).__name__}")
