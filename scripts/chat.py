"""A terminal chat with the running assistant over the REST channel (`make shell`)."""

from __future__ import annotations

import sys
import uuid

import requests


def main() -> int:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:5005"
    sender = f"shell-{uuid.uuid4().hex[:8]}"
    print("Talk to the assistant (Ctrl-D to quit). Buttons show as [n] title; type n to press one.")
    buttons: list[dict] = []
    while True:
        try:
            text = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        if not text:
            continue
        try:
            reply = requests.post(
                f"{base}/webhooks/rest/webhook",
                json={"sender": sender, "message": text},
                timeout=60,
            )
            reply.raise_for_status()
        except requests.RequestException as exc:
            print(f"(the assistant did not answer: {exc})")
            continue
        buttons = []
        for message in reply.json():
            if message.get("text"):
                print(f"bot> {message['text']}")
            for button in message.get("buttons", []):
                buttons.append(button)
                print(f"     [{len(buttons)}] {button['title']}")


if __name__ == "__main__":
    raise SystemExit(main())
