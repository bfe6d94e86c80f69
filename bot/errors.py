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
