#!/usr/bin/env bash
# The README's "Try the seed story" block, checked: against the stack `npm start` runs, it creates a
# token, a webhook pointing at a local receiver, and an event; retries the event and asserts the seed's
# exact response envelope; then waits for both attempts to be delivered and logged. Exits non-zero on
# the first thing that differs. .ci/run runs it between `npm start` and `npm stop`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../infra/lib.sh"
LOG_TAG=seed-story
cd "$ROOT"

API=http://127.0.0.1:${API_PORT:-3000}
RECEIVER_PORT=${SEED_RECEIVER_PORT:-9999}

fail() { log "FAILED: $*"; exit 1; }
# expect WHAT ACTUAL EXPECTED
expect() { [[ $2 == "$3" ]] || fail "$1: expected $3, got $2"; }

# The receiver the README's webhook points at: answers 204 to every POST.
node -e 'require("node:http").createServer((req, res) => req.resume().on("end", () => res.writeHead(204).end()))
  .listen(Number(process.argv[1]), "127.0.0.1")' "$RECEIVER_PORT" &
receiver=$!
trap 'kill $receiver 2>/dev/null || true' EXIT
for _ in {1..50}; do port_open "$RECEIVER_PORT" && break; sleep 0.1; done
port_open "$RECEIVER_PORT" || fail "the receiver did not start on port $RECEIVER_PORT"

TOKEN=$(npm run --silent cli -- tokens create --tenant "seed-story-$RANDOM" | tail -1)
[[ $TOKEN =~ ^[A-Za-z0-9_.-]{20,}$ ]] || fail "the CLI printed no token (last line: $TOKEN)"
auth=(-H "Authorization: Bearer $TOKEN")
json=(-H 'Content-Type: application/json')

webhook=$(curl -sS -X POST "$API/v1/webhooks" "${auth[@]}" "${json[@]}" \
  -d "{\"url\":\"http://127.0.0.1:$RECEIVER_PORT/hook\"}")
expect 'webhook created' "$(jq -r .success <<<"$webhook")" true

created=$(curl -sS -X POST "$API/v1/webhooks/events" "${auth[@]}" "${json[@]}" \
  -d '{"type":"invoice.paid","payload":{"amount":42}}')
EVENT=$(jq -r .data.eventId <<<"$created")
[[ $EVENT =~ ^[0-9a-f-]{36}$ ]] || fail "event not created: $created"

retried=$(curl -sS -X POST "$API/v1/webhooks/events/$EVENT/retry" "${auth[@]}")
expect 'retry response (the seed envelope)' "$(jq -cS . <<<"$retried")" \
  "$(jq -cnS --arg id "$EVENT" '{success: true, data: {eventId: $id, webhookCount: 1, message: "Event queued for retry to 1 webhook(s)"}}')"
log "retry answered $retried"

# The initial attempt and the manual retry, both delivered and logged, numbered in the order made.
for _ in {1..100}; do
  status=$(curl -sS "$API/v1/webhooks/events/$EVENT/status" "${auth[@]}")
  logs=$(curl -sS "$API/v1/webhooks/events/$EVENT/logs" "${auth[@]}")
  [[ $(jq -r .data.status <<<"$status") == delivered && $(jq '.data.items | length' <<<"$logs") == 2 &&
    $(jq '.data.webhooks[0].attempts' <<<"$status") == 2 ]] && break
  sleep 0.2
done
log "status: $status"
expect 'event status' "$(jq -r .data.status <<<"$status")" delivered
expect 'attempts in /status' "$(jq '.data.webhooks[0].attempts' <<<"$status")" 2
expect 'attempts in /logs' "$(jq '.data.items | length' <<<"$logs")" 2
expect 'attempt numbers, newest first' "$(jq -c '[.data.items[].attemptNumber]' <<<"$logs")" '[2,1]'
expect 'triggers, newest first' "$(jq -c '[.data.items[].trigger]' <<<"$logs")" '["manual","initial"]'
expect 'every attempt names who asked' "$(jq '[.data.items[] | select(.requestedBy == null)] | length' <<<"$logs")" 0
log "seed story passed: event $EVENT delivered twice, logged as attempts 1 and 2"
