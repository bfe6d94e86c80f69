"""`python -m bot …` — operator commands (OPERATIONS.md).

Every command exits non-zero with a one-line reason on bad input and then
has changed nothing.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import secrets
import sys
import time
from pathlib import Path

from bot.bootstrap import Desk
from bot.device_import import read_file
from bot.errors import BotError, InvalidAgent
from bot.language import languages
from bot.privacy import install_masking
from bot.programs import load_programs, warnings_for
from bot.settings import ROOT, Settings
from bot.translations import missing_translations


def _programs_check(desk: Desk, _args: argparse.Namespace) -> int:
    programs = load_programs(desk.settings.programs_dir)
    for program in programs.values():
        for warning in warnings_for(program):
            print(f"warning: {warning}")
        print(f"ok: {program.source}: {program.id} — {program.summary()}")
    gaps = missing_translations(ROOT / "domain.yml", ROOT / "data" / "email")
    for gap in gaps:
        print(f"error: translation missing: {gap}")
    if gaps:
        return 1
    print(f"ok: every text a Mi Points member meets is in {', '.join(languages().codes)}")
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


def _cases_list(desk: Desk, args: argparse.Namespace) -> int:
    found = desk.list_cases(overdue=args.overdue)
    if not found:
        print("no overdue cases" if args.overdue else "no open cases")
        return 0
    for case in found:
        about = " ".join(
            part
            for part in (
                case.product,
                case.masked_identifier,
                f"appeal of {case.parent_reference}" if case.parent_reference else "",
            )
            if part
        )
        late = "OVERDUE" if case.overdue else "on time"
        print(f"{case.reference}  {case.kind:<10}  due {case.due_iso}  {late:<7}  {about}".rstrip())
    return 0


def _cases_decide(desk: Desk, args: argparse.Namespace) -> int:
    done = desk.decide_case(args.reference, args.decision, args.reason or "", args.by)
    case = done.case
    line = f"{case.reference}: {case.kind} case {case.state} by {args.by}"
    if done.parent is not None:
        line += f" ({done.parent.reference} {done.parent.state})"
    if done.coupon_code:
        line += "; coupon issued and emailed (RED-12)"
    if done.verb == "reject":
        line += f"; failure notice emailed, appeal until {case.appeal_deadline} (APL-1)"
    if done.verb == "dismiss":
        line += "; outcome emailed (APL-4)"
    print(line)
    return 0


def _cases_show(desk: Desk, args: argparse.Namespace) -> int:
    history = desk.case_history(args.reference)
    case = history.case
    print(
        f"{case.reference}  {case.kind}  {case.state}  opened {case.opened_on}  "
        f"due {case.due_on}  {case.product} {case.masked_identifier}".rstrip()
    )
    for event in history.events:
        change = f"{event.from_state.value if event.from_state else '-'} -> {event.to_state.value}"
        print(f"  {event.at:%Y-%m-%d %H:%M}Z  {event.actor:<12}  {change:<22}  {event.note}")
    return 0


def _cases_remind(desk: Desk, _args: argparse.Namespace) -> int:
    print(f"queued {desk.remind_cases()} reminders for overdue cases")
    return 0


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in this environment (some containers)
        return "staff"


def _read_password(prompt: str) -> str:
    """From AGENT_PASSWORD (scripts), else typed twice at a prompt (never an argument:
    it would stay in the shell history and the process list)."""
    password = os.environ.get("AGENT_PASSWORD")
    if password:
        return password
    if not sys.stdin.isatty():
        raise InvalidAgent("no password: set AGENT_PASSWORD or run this in a terminal")
    first = getpass.getpass(prompt)
    if getpass.getpass("the same password again: ") != first:
        raise InvalidAgent("the two passwords differ; nothing was changed")
    return first


def _agents_add(desk: Desk, args: argparse.Namespace) -> int:
    desk.migrate()
    name = desk.add_agent(args.name, _read_password(f"password for {args.name}: "))
    print(f"agent {name} added: they log in at /webhooks/agents/login on the Rasa server")
    return 0


def _agents_password(desk: Desk, args: argparse.Namespace) -> int:
    desk.set_agent_password(args.name, _read_password(f"new password for {args.name}: "))
    print(f"password of {args.name} changed; their open sessions have ended")
    return 0


def _agents_demo(desk: Desk, _args: argparse.Namespace) -> int:
    """For `make run`: one demo agent with a random password, only if there is none."""
    desk.migrate()
    if desk.count_agents():
        print("agent inbox: log in with an existing agent (python -m bot agents add NAME)")
        return 0
    password = secrets.token_urlsafe(12)
    name = desk.add_agent("demo", password)
    print(f"agent inbox: created agent '{name}' with password '{password}' (shown only once)")
    return 0


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

    agents = groups.add_parser("agents", help="human agents' accounts (agent inbox)")
    agent_commands = agents.add_subparsers(dest="command", required=True)
    add = agent_commands.add_parser("add", help="create an agent (password from a prompt)")
    add.add_argument("name")
    add.set_defaults(run=_agents_add)
    change = agent_commands.add_parser("password", help="set an agent's password")
    change.add_argument("name")
    change.set_defaults(run=_agents_password)
    agent_commands.add_parser(
        "demo", help="create the demo agent if there is no agent yet"
    ).set_defaults(run=_agents_demo)

    cases = groups.add_parser("cases", help="difficulty, review, appeal and callback cases")
    case_commands = cases.add_subparsers(dest="command", required=True)
    listing = case_commands.add_parser("list", help="open cases with reference, kind, due date")
    listing.add_argument("--overdue", action="store_true", help="only those past their due date")
    listing.set_defaults(run=_cases_list)
    decide = case_commands.add_parser(
        "decide",
        help="record a decision and email the customer",
        description="approve|reject a difficulty or review case; uphold|dismiss an appeal "
        "(its AP- reference or the appealed case's; approve/reject mean the same on an "
        "appeal); close a callback. A reject or dismiss reason names the rule IDs.",
    )
    decide.add_argument("reference")
    decide.add_argument("decision", help="approve, reject, uphold, dismiss or close")
    decide.add_argument("--reason", help="why, e.g. 'RED-7: bought from a marketplace seller'")
    decide.add_argument("--by", default=_operator(), help="who decides (the audit trail)")
    decide.set_defaults(run=_cases_decide)
    show = case_commands.add_parser("show", help="one case and its audit trail")
    show.add_argument("reference")
    show.set_defaults(run=_cases_show)
    case_commands.add_parser(
        "remind", help="email once each customer whose case is past its due date"
    ).set_defaults(run=_cases_remind)
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
