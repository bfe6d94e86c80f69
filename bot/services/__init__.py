"""Use cases: plain values in, decisions and records out. One module per concern.

Entry points (actions, CLI, channels) import this package; each module below
holds the use cases of one program or workflow.
"""

from bot.services.redemption import (
    ImportReport,
    RedemptionPorts,
    RedemptionRequest,
    RedemptionResult,
    calendar_for,
    check_window,
    import_devices,
    precheck,
    read_channel,
    read_email,
    read_identifier,
    read_mi_id,
    read_product,
    redeem,
)

__all__ = [
    "ImportReport",
    "RedemptionPorts",
    "RedemptionRequest",
    "RedemptionResult",
    "calendar_for",
    "check_window",
    "import_devices",
    "precheck",
    "read_channel",
    "read_email",
    "read_identifier",
    "read_mi_id",
    "read_product",
    "redeem",
]
