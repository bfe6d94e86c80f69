#!/usr/bin/env bash
# Start the action server (5055), the Rasa server (5005: REST channel, HTTP API with a
# token) and the email outbox worker; wait until both servers answer; print how to
# talk to the assistant. Ctrl-C stops everything. `--shell` opens a terminal chat.
set -euo pipefail
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
LOGS=${RUN_LOG_DIR:-var/log}
mkdir -p "$LOGS"
model=$(cat models/.current)
# Human agents (agent inbox): a demo agent on the first run; its password is printed once.
agents_note=$(.venv/bin/python -m bot agents demo 2>/dev/null \
  || echo "agent inbox: create an agent with: .venv/bin/python -m bot agents add NAME")

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/rasa run actions --port "$ACTION_SERVER_PORT" --actions actions --logging-config-file scripts/logging.yml >"$LOGS/actions.log" 2>&1 &
pids+=($!)
.venv/bin/rasa run --model "$model" --port "$RASA_PORT" --enable-api --auth-token "$RASA_TOKEN" \
  --endpoints endpoints.yml --credentials credentials.yml \
  --logging-config-file scripts/logging.yml >"$LOGS/rasa.log" 2>&1 &
pids+=($!)
.venv/bin/python -m bot outbox watch --interval "${OUTBOX_INTERVAL:-30}" >"$LOGS/outbox.log" 2>&1 &
pids+=($!)

echo "starting the action server and the Rasa server (loading the model takes about a minute) ..."
start=$(date +%s)
until curl -sf "http://localhost:$ACTION_SERVER_PORT/health" >/dev/null \
   && curl -sf "http://localhost:$RASA_PORT/status?token=$RASA_TOKEN" >/dev/null; do
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: a process stopped while starting; see $LOGS/" >&2
      tail -n 20 "$LOGS"/*.log >&2
      exit 1
    fi
  done
  if (( $(date +%s) - start > ${START_TIMEOUT:-300} )); then
    echo "error: the servers did not answer within ${START_TIMEOUT:-300} s" >&2; exit 1
  fi
  sleep 2
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
wait -n "${pids[@]}"
echo "a server stopped; see $LOGS/" >&2
exit 1
