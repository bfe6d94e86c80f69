"""`python -m bot …` — operator commands (OPERATIONS.md).

Every command exits non-zero with a one-line reason on bad input and then
has changed nothing.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

from bot.bootstrap import Desk
from bot.device_import import read_file
from bot.errors import BotError
from bot.privacy import install_masking
from bot.programs import load_programs, warnings_for
from bot.settings import Settings


def _programs_check(desk: Desk, _args: argparse.Namespace) -> int:
    programs = load_programs(desk.settings.programs_dir)
    for program in programs.values():
        for warning in warnings_for(program):
            print(f"warning: {warning}")
        print(f"ok: {program.source}: {program.id} — {program.summary()}")
    return 0


def _devices_import(desk: Desk, args: argparse.Namespace) -> int:
    records = read_file(Path(args.file))
    desk.migrate()
    report = desk.import_devices(records)
    print(
        f"imported {len(records)} devices from {args.file}: {report.added} added, "
        f"{report.updated} updated, {report.revoked} coupons revoked (returned devices)"
    )
    return 0


def _db_upgrade(desk: Desk, _args: argparse.Namespace) -> int:
    desk.migrate()
    print("database is at the newest schema")
    return 0


def _outbox_send(desk: Desk, _args: argparse.Namespace) -> int:
    report = desk.deliver_email()
    print(f"sent {report.sent}, will retry {report.retrying}, failed for good {report.failed}")
    return 0


def _outbox_watch(desk: Desk, args: argparse.Namespace) -> int:
    log = logging.getLogger(__name__)
    log.info("delivering email every %s s", args.interval)
    while True:
        try:
            report = desk.deliver_email()
        except Exception:  # e.g. the database is briefly unavailable: report it, try again
            log.exception("email delivery pass failed; trying again in %s s", args.interval)
            time.sleep(args.interval)
            continue
        if report.sent or report.retrying or report.failed:
            print(
                f"sent {report.sent}, will retry {report.retrying}, failed {report.failed}",
                flush=True,
            )
        time.sleep(args.interval)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    groups = top.add_subparsers(dest="group", required=True)

    programs = groups.add_parser("programs", help="program data").add_subparsers(
        dest="command", required=True
    )
    programs.add_parser("check", help="validate every program file").set_defaults(
        run=_programs_check
    )

    devices = groups.add_parser("devices", help="device registry").add_subparsers(
        dest="command", required=True
    )
    load = devices.add_parser("import", help="load/refresh the registry from a CSV file")
    load.add_argument("file")
    load.set_defaults(run=_devices_import)

    db = groups.add_parser("db", help="database").add_subparsers(dest="command", required=True)
    db.add_parser("upgrade", help="migrate to the newest schema").set_defaults(run=_db_upgrade)

    outbox = groups.add_parser("outbox", help="email outbox").add_subparsers(
        dest="command", required=True
    )
    outbox.add_parser("send", help="deliver pending email now").set_defaults(run=_outbox_send)
    watch = outbox.add_parser("watch", help="keep delivering pending email")
    watch.add_argument("--interval", type=float, default=30.0)
    watch.set_defaults(run=_outbox_watch)
    return top


def main(argv: list[str] | None = None) -> int:
    install_masking()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parser().parse_args(argv)
    try:
        return int(args.run(Desk(Settings.from_env()), args))
    except BotError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
