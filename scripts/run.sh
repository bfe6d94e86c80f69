#!/usr/bin/env bash
# Start the action server (5055), the Rasa server (5005: REST channel, HTTP API with a
# token) and the email outbox worker; wait until both servers answer; print how to
# talk to the assistant. Ctrl-C stops everything. `--shell` opens a terminal chat.
set -euo pipefail
umask 077  # databases, logs and secrets under var/ are readable by their owner only
cd "$(dirname "$0")/.."
mode=${1:-}
export RASA_TELEMETRY_ENABLED=false PYTHONPATH=$PWD TF_CPP_MIN_LOG_LEVEL=2
export ACTION_SERVER_PORT=${ACTION_SERVER_PORT:-5055} RASA_PORT=${RASA_PORT:-5005}
export TRACKER_STORE_URL=${TRACKER_STORE_URL:-sqlite:///$PWD/var/tracker.db}
# A demo date inside the UK activity (RED-2) and before the coupon expires (RED-13).
# Set BOT_TODAY= (empty) to use the real date.
export BOT_TODAY=${BOT_TODAY-2023-09-28}
export RASA_TOKEN=${RASA_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))')}
# WhatsApp (credentials.yml): Rasa refuses an unset ${VAR}, so each is exported, empty
# when not configured (the channel then refuses webhooks; everything else runs).
export WHATSAPP_VERIFY_TOKEN=${WHATSAPP_VERIFY_TOKEN-} WHATSAPP_APP_SECRET=${WHATSAPP_APP_SECRET-}
export WHATSAPP_ACCESS_TOKEN=${WHATSAPP_ACCESS_TOKEN-} WHATSAPP_PHONE_NUMBER_ID=${WHATSAPP_PHONE_NUMBER_ID-}
export WHATSAPP_API_VERSION=${WHATSAPP_API_VERSION-}
# The action server answers only calls with the shared secret, which endpoints.yml sends
# (README "Action server on a separate host"); generated once into var/secrets/.
export ACTION_SERVER_URL=${ACTION_SERVER_URL:-http://127.0.0.1:$ACTION_SERVER_PORT/webhook}
LOGS=${RUN_LOG_DIR:-var/log}
mkdir -p "$LOGS"
.venv/bin/python -c 'from bot.action_auth import action_server_token; action_server_token()'
model=$(cat models/.current)
# Human agents (agent inbox): a demo agent on the first run; its password is printed once.
agents_note=$(.venv/bin/python -m bot agents demo 2>/dev/null \
  || echo "agent inbox: create an agent with: .venv/bin/python -m bot agents add NAME")

# bot/supervisor.py starts the three processes (no token on any command line), restarts
# one that stops (1, 2, 4 ... 60 s; it says which and why), appends to $LOGS/*.log with
# rotation (scripts/supervisor.yml) and stops them all on Ctrl-C / TERM.
ready_file="$LOGS/.ready"
rm -f "$ready_file"
echo "starting the action server and the Rasa server (loading the model takes about a minute) ..."
start=$(date +%s)
RASA_MODEL=$model .venv/bin/python -m bot.supervisor --log-dir "$LOGS" \
  --ready-file "$ready_file" --start-timeout "${START_TIMEOUT:-300}" &
supervisor=$!
stop() {
  trap - INT TERM EXIT
  kill -TERM "$supervisor" 2>/dev/null || true
  wait "$supervisor" 2>/dev/null || true
  rm -f "$ready_file"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

until [ -e "$ready_file" ]; do
  if ! kill -0 "$supervisor" 2>/dev/null; then
    echo "error: the assistant did not start; see $LOGS/" >&2  # the supervisor said why
    exit 1
  fi
  sleep 1
done
echo "ready in $(( $(date +%s) - start )) s (today is pinned to ${BOT_TODAY:-the real date})"

if [ "$mode" = "--shell" ]; then
  .venv/bin/python scripts/chat.py "http://localhost:$RASA_PORT"
  exit 0
fi
cat <<TXT

The assistant is running.
  Website chat:   http://localhost:$RASA_PORT/webhooks/webchat/   (the widget; embed snippet in the README)
  Agent inbox:    http://localhost:$RASA_PORT/webhooks/agents/   ($agents_note)
  Terminal chat:  make shell           (or: .venv/bin/python scripts/chat.py)
  REST channel:   curl -s localhost:$RASA_PORT/webhooks/rest/webhook -H 'Content-Type: application/json' \\
                    -d '{"sender": "me", "message": "I want my 10% coupon"}'
  HTTP API token: $RASA_TOKEN   (e.g. curl "localhost:$RASA_PORT/status?token=\$RASA_TOKEN")
  Sample devices: data/devices/sample_registry.csv  (356938035643809 is an eligible Redmi Note 12 Pro+ 5G)
  Emails:         var/outbox/*.eml      Logs: $LOGS/
Press Ctrl-C to stop.
TXT
status=0
wait "$supervisor" || status=$?
echo "the supervisor stopped (exit code $status); see $LOGS/" >&2
exit "$status"
