"""One error hierarchy for the core.

Every error carries a one-line ``message`` for operators (CLI, logs) and a
stable ``code`` that adapters map to a customer-facing response, in one table
per adapter. Messages never contain personal data in clear.
"""

from __future__ import annotations


class BotError(Exception):
    """Base class: a problem the core detected and can explain."""

    code = "error"

    def __init__(self, message: str = "", **details: object) -> None:
        super().__init__(message or self.__doc__ or self.code)
        self.details = details  # values for the customer-facing response (no personal data)

    @property
    def message(self) -> str:
        return str(self.args[0])


# --- identifiers (RED-6) ---------------------------------------------------
class InvalidIdentifier(BotError):
    """The IMEI or serial number is not valid."""

    code = "identifier_invalid"


class EmptyIdentifier(InvalidIdentifier):
    """No IMEI or serial number was given."""

    code = "identifier_empty"


class NotDigits(InvalidIdentifier):
    """An IMEI has digits only (spaces and dashes are fine)."""

    code = "imei_not_digits"


class WrongLength(InvalidIdentifier):
    """An IMEI has exactly 15 digits."""

    code = "imei_wrong_length"


class MissingCheckDigit(InvalidIdentifier):
    """14 digits: the IMEI is missing its last (check) digit."""

    code = "imei_missing_check_digit"


class ImeiSvNotAccepted(InvalidIdentifier):
    """16 digits is an IMEISV (software version), not the IMEI."""

    code = "imei_sv"


class BadCheckDigit(InvalidIdentifier):
    """The IMEI's last digit does not match the others (a typo?)."""

    code = "imei_check_digit"


class DegenerateNumber(InvalidIdentifier):
    """The number is a placeholder, not a real device identifier."""

    code = "identifier_degenerate"


class InvalidSerial(InvalidIdentifier):
    """A serial number has 8 to 20 letters and digits (a slash is allowed)."""

    code = "serial_invalid"


class ImeiGivenForAiot(InvalidIdentifier):
    """This product is identified by its serial number (SN), not an IMEI."""

    code = "aiot_needs_serial"


class SerialGivenForPhone(InvalidIdentifier):
    """Phones are identified by their 15-digit IMEI, not a serial number."""

    code = "phone_needs_imei"


# --- other customer facts ---------------------------------------------------
class InvalidEmail(BotError):
    """That does not look like an email address."""

    code = "email_invalid"


class EmailMissingAt(InvalidEmail):
    """An email address has an '@' between the name and the domain."""

    code = "email_missing_at"


class EmailBadDomain(InvalidEmail):
    """The part after the '@' must be a domain such as gmail.com or example.co.uk."""

    code = "email_bad_domain"


class EmailBadName(InvalidEmail):
    """The part before the '@' has characters an address cannot have."""

    code = "email_bad_name"


class EmailSeveral(InvalidEmail):
    """More than one email address was given."""

    code = "email_several"


class InvalidMiId(BotError):
    """A Mi ID is the number shown in your Mi account profile."""

    code = "mi_id_invalid"


class _WithSuggestions(BotError):
    def __init__(self, message: str = "", suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message, suggestions=", ".join(suggestions))
        self.suggestions = tuple(suggestions)


class UnknownProduct(_WithSuggestions):
    """The product is not on the list of eligible products."""

    code = "product_unknown"


class UnknownChannel(_WithSuggestions):
    """The purchase channel is not one we recognise."""

    code = "channel_unknown"


# --- typed dates and countries (bot.dates, bot.countries) ---------------------
class InvalidDate(BotError):
    """That is not a date we can use."""

    code = "date_invalid"


class UnreadableDate(InvalidDate):
    """I could not read that as a date; an answer like 3 October 2023 or 03/10/2023 works."""

    code = "date_unreadable"


class FutureDate(InvalidDate):
    """That date is in the future; the date asked for has already happened."""

    code = "date_future"


class ImpossibleDate(InvalidDate):
    """That day does not exist in the calendar (for example 31/02/2023)."""

    code = "date_impossible"


class UnknownCountry(_WithSuggestions):
    """The country is not one we recognise."""

    code = "country_unknown"


class InvalidNumber(BotError):
    """That is not a number we can use."""

    code = "number_invalid"


class InvalidPoints(InvalidNumber):
    """A points balance is a whole number of points, like 1200."""

    code = "points_invalid"


class InvalidAmount(InvalidNumber):
    """An amount is a number of euros or rupees, like 249.99."""

    code = "amount_invalid"


class InvalidCount(InvalidNumber):
    """A count is a whole number, like 0 or 3."""

    code = "count_invalid"


class UnknownUpgradeModel(_WithSuggestions):
    """That model is not covered by Smart Upgrade."""

    code = "upgrade_model_unknown"


# --- data and operations ----------------------------------------------------
class ProgramDataError(BotError):
    """A program file is inconsistent; the message names the file and field."""

    code = "program_data"


class RegistryImportError(BotError):
    """A device registry file was refused; the message names line and column."""

    code = "registry_import"


class RegistryUnavailable(BotError):
    """The remote device registry did not answer."""

    code = "registry_unavailable"


class ConfigurationError(BotError):
    """A setting is missing or malformed."""

    code = "configuration"


# --- WhatsApp (Meta Cloud API, bot.whatsapp) ----------------------------------
class WebhookRefused(BotError):
    """A WhatsApp webhook request was refused; nothing in it was processed."""

    code = "whatsapp_webhook_refused"


class BadWebhookSignature(WebhookRefused):
    """The X-Hub-Signature-256 header is missing or does not match the body."""

    code = "whatsapp_bad_signature"


class MalformedWebhook(WebhookRefused):
    """The webhook body is not the JSON object WhatsApp sends."""

    code = "whatsapp_malformed_webhook"


class WhatsAppError(BotError):
    """WhatsApp did not take a message."""

    code = "whatsapp"


class WhatsAppRejected(WhatsAppError):
    """WhatsApp refused the message (a 4xx answer); sending it again will not help."""

    code = "whatsapp_rejected"


class WhatsAppUnavailable(WhatsAppError):
    """WhatsApp did not answer or stayed busy (429/5xx) after several attempts."""

    code = "whatsapp_unavailable"


# --- cases: difficulty form, review, appeals (FAQ, APL) -----------------------
class MalformedReference(BotError):
    """A case reference looks like RC-7K4Q-2P (appeals: AP-…)."""

    code = "case_reference_malformed"


class MistypedReference(MalformedReference):
    """That reference has a typo: its last character does not match the others."""

    code = "case_reference_mistyped"


class UnknownCase(BotError):
    """No case has that reference."""

    code = "case_unknown"


class NoMatchingCase(BotError):
    """No case or coupon matches that IMEI/SN together with that Mi ID."""

    code = "case_no_match"


class IllegalTransition(BotError):
    """That decision is not possible for the case in its current state."""

    code = "case_illegal_transition"


class InvalidDecisionReason(BotError):
    """A decision needs a reason; a rejection names the rule IDs it applies."""

    code = "case_reason_invalid"


class CaseAlreadyOpen(BotError):
    """A case is already open for this IMEI/SN (FAQ-4)."""

    code = "case_already_open"


class AlreadyParticipated(BotError):
    """This IMEI/SN has already taken part in a redemption activity (RED-9)."""

    code = "case_already_participated"


class CouponExpired(BotError):
    """The coupon configured for the activity has expired; none can be issued (RED-13)."""

    code = "coupon_expired"


# --- human handover and agent accounts (issue #4, HND) ------------------------
class HandoverError(BotError):
    """The handover to a person could not go ahead."""

    code = "handover"


class HandoverNotFound(HandoverError):
    """There is no such conversation waiting for an agent."""

    code = "handover_not_found"


class HandoverClosed(HandoverError):
    """This conversation has already been handed back to the assistant."""

    code = "handover_closed"


class InvalidReply(HandoverError):
    """A reply needs some text, and not too much of it."""

    code = "handover_reply_invalid"


class HandledInChatwoot(HandoverError):
    """This conversation is handled in Chatwoot; reply there."""

    code = "handover_in_chatwoot"


class AgentLoginRefused(BotError):
    """Wrong username or password."""

    code = "agent_login_refused"


class AgentLocked(AgentLoginRefused):
    """Too many failed logins: this account is locked for a while."""

    code = "agent_locked"


class InvalidAgent(BotError):
    """An agent account needs a name (letters, digits, . _ -) and a long enough password."""

    code = "agent_invalid"


class AgentExists(InvalidAgent):
    """An agent with that name already exists."""

    code = "agent_exists"


class ChatwootUnavailable(BotError):
    """Chatwoot did not answer or refused the request."""

    code = "chatwoot_unavailable"


# --- warranty and exchange (WAR, EXC) --------------------------------------------
class MissingAnswer(BotError):
    """A question the decision needs was not answered."""

    code = "answer_missing"


class UnknownProblem(_WithSuggestions):
    """That is not one of the problem types we can check."""

    code = "warranty_problem_unknown"


class TermsNotAccepted(BotError):
    """The terms must be accepted before the exchange coupon is issued (EXC-3)."""

    code = "exchange_terms_not_accepted"
