#!/usr/bin/env bash
# A whole tinyqs session with nothing but curl: configure a queue, send (raw, delayed, batch),
# receive with the receipt from the response headers, touch, delete, release, peek, stats, purge;
# then a request answered by a worker (request/response).
#
#   TINYQS_URL=http://127.0.0.1:7380 [TINYQS_TOKEN=…] [TINYQS_QUEUE=…] bash session.sh
#
# Each step prints one line starting with "->" so you (and the test that runs this script) can
# follow it. Needs bash and curl only: the receipt is read from the tinyqs-receipt header.
set -euo pipefail

URL="${TINYQS_URL:-http://127.0.0.1:7380}"
Q="${TINYQS_QUEUE:-curl-demo-$$}"
AUTH=()
if [ -n "${TINYQS_TOKEN:-}" ]; then AUTH=(-H "Authorization: Bearer $TINYQS_TOKEN"); fi
HEADERS="$(mktemp)"
trap 'rm -f "$HEADERS" "$HEADERS".*' EXIT

# curl with the token, if one is set. No --fail: the steps that check a status print it
# (-w '%{http_code}'), the others print the answer as it came, an error's JSON included.
tq() { curl -sS "${AUTH[@]}" "$@"; }
# The value of one response header from the last `tq -D "$HEADERS" …` (or from the file given second).
header() { grep -i "^$1:" "${2:-$HEADERS}" | tail -n 1 | cut -d' ' -f2- | tr -d '\r'; }

echo "-> server: $(curl -sS "$URL/healthz")"

# Settings: a reservation lasts 30 s unless a receive says otherwise.
# JSON routes (settings, batch) take JSON only as Content-Type: application/json (else 415).
echo "-> configure $Q: $(tq -X PUT "$URL/v1/queues/$Q" -H 'Content-Type: application/json' -d '{"visibilityMs":30000,"maxReceives":5}')"

# The request body is the message, raw bytes of any content type.
echo "-> send text: $(tq --data-binary 'resize photo 1' "$URL/v1/queues/$Q/messages")"
echo "-> send json: $(tq -H 'Content-Type: application/json' --data-binary '{"photo":2}' "$URL/v1/queues/$Q/messages")"
echo "-> send delayed: $(tq --data-binary 'in a minute' "$URL/v1/queues/$Q/messages?delayMs=60000")"
echo "-> send batch: $(tq "$URL/v1/queues/$Q/messages/batch" -H 'Content-Type: application/json' \
  -d '{"messages":[{"body":"batch a"},{"body":"YmF0Y2ggYg==","encoding":"base64"}]}')"
printf '\x00\x01\x02\xff' > "$HEADERS.bin"
echo "-> send binary: $(tq -H 'Content-Type: application/octet-stream' --data-binary "@$HEADERS.bin" "$URL/v1/queues/$Q/messages")"
rm -f "$HEADERS.bin"

# Receive one: the body is the message, the receipt comes in a header.
BODY="$(tq -D "$HEADERS" "$URL/v1/queues/$Q/messages?visibilityMs=60000")"
RECEIPT="$(header tinyqs-receipt)"
echo "-> received: $BODY (id $(header tinyqs-id), delivery $(header tinyqs-receive-count), receipt $RECEIPT)"

# Still working on it: keep the reservation for another 2 minutes, then acknowledge.
echo "-> touch: HTTP $(tq -o /dev/null -w '%{http_code}' -X POST "$URL/v1/queues/$Q/messages/$RECEIPT/touch?visibilityMs=120000")"
echo "-> delete: HTTP $(tq -o /dev/null -w '%{http_code}' -X DELETE "$URL/v1/queues/$Q/messages/$RECEIPT")"
echo "-> delete again: HTTP $(tq -o /dev/null -w '%{http_code}' -X DELETE "$URL/v1/queues/$Q/messages/$RECEIPT")"

# Receive the next one and give it back: it is ready again at once, its delivery count goes up.
tq -D "$HEADERS" -o /dev/null "$URL/v1/queues/$Q/messages"
echo "-> release: HTTP $(tq -o /dev/null -w '%{http_code}' -X POST "$URL/v1/queues/$Q/messages/$(header tinyqs-receipt)/release")"

# Peek does not reserve: no receipt.
BODY="$(tq -D "$HEADERS" "$URL/v1/queues/$Q/messages/peek")"
echo "-> peek: $BODY (delivery count $(header tinyqs-receive-count), receipt '$(header tinyqs-receipt)')"

# Several at once: JSON, bodies in base64. Wait up to 1 s for at least one.
echo "-> receive 10: $(tq "$URL/v1/queues/$Q/messages?max=10&waitMs=1000" | grep -o '"id"' | wc -l | tr -d ' ') messages"

# Nothing left that is ready: 204 after the long poll.
echo "-> receive on empty: HTTP $(tq -o /dev/null -w '%{http_code}' "$URL/v1/queues/$Q/messages?waitMs=200")"

echo "-> stats: $(tq "$URL/v1/queues/$Q")"
echo "-> purge: $(tq -X POST "$URL/v1/queues/$Q/purge")"

# Request/response: the caller (in the background here) waits for the reply in its own request; a
# worker receives the request like any message and answers it with its receipt. Had no reply come
# within timeoutMs, the caller would get 504 and could collect it later: GET /v1/replies/<handle>.
tq -D "$HEADERS.caller" -o "$HEADERS.reply" --data-binary 'what is 6*7?' "$URL/v1/queues/$Q-rpc/requests?timeoutMs=10000" &
CALLER=$!
echo "-> request taken: $(tq -D "$HEADERS" "$URL/v1/queues/$Q-rpc/messages?waitMs=5000")"
echo "-> respond: HTTP $(tq -o /dev/null -w '%{http_code}' --data-binary '42' "$URL/v1/queues/$Q-rpc/messages/$(header tinyqs-receipt)/respond")"
wait "$CALLER"
echo "-> reply: $(cat "$HEADERS.reply") (handle $(header tinyqs-reply-handle "$HEADERS.caller"))"
echo "-> done"
