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
    # cases (FAQ, APL)
    errors.MistypedReference: "utter_case_reference_mistyped",
    errors.MalformedReference: "utter_case_reference_malformed",
    errors.UnknownCase: "utter_case_unknown",
    errors.NoMatchingCase: "utter_case_no_match",
    errors.CaseAlreadyOpen: "utter_case_already_open",
    errors.AlreadyParticipated: "utter_case_already_participated",
    errors.InvalidDecisionReason: "utter_ask_appeal_reason",
    errors.IllegalTransition: "utter_case_try_again",
    errors.CouponExpired: "utter_case_try_again",
    # typed dates, countries and figures (PTS, UPG and the forms that reuse them)
    errors.UnreadableDate: "utter_date_unreadable",
    errors.FutureDate: "utter_date_future",
    errors.ImpossibleDate: "utter_date_impossible",
    errors.InvalidDate: "utter_date_unreadable",
    errors.UnknownCountry: "utter_country_unknown",
    errors.InvalidPoints: "utter_points_invalid",
    errors.InvalidAmount: "utter_amount_invalid",
    errors.InvalidCount: "utter_count_invalid",
    errors.InvalidNumber: "utter_count_invalid",
    errors.UnknownUpgradeModel: "utter_upgrade_model_unknown",
    # warranty and exchange (WAR, EXC)
    errors.UnknownProblem: "utter_warranty_problem_unknown",
    errors.TermsNotAccepted: "utter_exchange_terms_declined",
    errors.MissingAnswer: "utter_answer_missing",
    errors.UnknownProduct: "utter_product_unknown",
    errors.UnknownChannel: "utter_channel_unknown",
    # Last resort: a core error no chat flow expects (e.g. from slots that did not come
    # through the form) still gets an answer instead of failing the action.
    errors.BotError: "utter_action_unavailable",
}


def response_for(error: errors.BotError) -> str:
    for cls in type(error).__mro__:
        if cls in ERROR_RESPONSES:
            return ERROR_RESPONSES[cls]
    raise TypeError(f"not a core error: {type(error).__name__}")
