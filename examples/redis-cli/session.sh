#!/usr/bin/env bash
# A redis-cli session with tinyqs-tcp: a producer sends jobs, a worker receives them, keeps one
# reservation alive (TOUCH), gives one back to retry (RELEASE), acknowledges (DELETE), and STATS
# shows what happened; then a request and its reply (PUT, TAKE, RESPOND, WAIT). Needs redis-cli and
# a running tinyqs-tcp:
#   tinyqs-tcp &                                   # listens on 127.0.0.1:7379
#   bash session.sh                                # TINYQS_TCP_HOST / TINYQS_TCP_PORT to point elsewhere
set -euo pipefail
HOST=${TINYQS_TCP_HOST:-127.0.0.1}
PORT=${TINYQS_TCP_PORT:-7379}
Q=${QUEUE:-example-jobs-$$}

cli() { redis-cli -h "$HOST" -p "$PORT" "$@"; }
say() { printf '\n# %s\n' "$*"; }
# Print a command the way a person types it, then its reply as redis-cli shows it.
show() { typed "$@"; cli --no-raw "$@"; }
typed() {
  local a line=">"
  for a in "$@"; do [[ $a == *" "* ]] && line+=" \"$a\"" || line+=" $a"; done
  printf '%s\n' "$line"
}
# RECEIVE (or TAKE), printed like show(), with the message's fields kept in ID, RECEIPT and BODY.
receive() { reserve RECEIVE "$@"; }
take() { reserve TAKE "$@"; }
reserve() {
  typed "$@"
  local out
  out=$(cli --no-raw "$@")
  printf '%s\n' "$out"
  mapfile -t fields < <(cli_fields <<<"$out")
  ID=${fields[0]:-} RECEIPT=${fields[1]:-} BODY=${fields[2]:-}
}
# PUT, printed like show(), with the reply handle kept in HANDLE.
put() {
  typed PUT "$@"
  local out
  out=$(cli --no-raw PUT "$@")
  printf '%s\n' "$out"
  HANDLE=$(sed -n 's/^"\(.*\)"$/\1/p' <<<"$out")
}
cli_fields() { sed -n 's/^[0-9]) "\(.*\)"$/\1/p; s/^[0-9]) (nil)$//p'; }

show PING
say "the queue: reservations of 5 s; after 2 deliveries without DELETE a message goes to $Q.dead"
show QCONFIG "$Q" visibilityMs 5000 maxReceives 2

say "a producer sends four jobs, the last one to run in 1 s"
show SEND "$Q" "resize photo-1.png"
show MSEND "$Q" "resize photo-2.png" "resize photo-3.png"
show SEND "$Q" "send the report" DELAY 1000
show PEEK "$Q"

say "a worker takes job 1, needs more time, finishes, acknowledges"
receive "$Q"
show TOUCH "$Q" "$RECEIPT" VISIBILITY 30000
show DELETE "$Q" "$RECEIPT"
say "the same receipt again: already deleted, nothing happens"
show DELETE "$Q" "$RECEIPT"

say "job 2 fails: give it back to be retried now"
receive "$Q"
show RELEASE "$Q" "$RECEIPT"

say "take what is ready, up to 10: job 2 is back, at the tail, with receive count 2"
typed RECEIVE "$Q" COUNT 10
batch=$(cli --no-raw RECEIVE "$Q" COUNT 10)
printf '%s\n' "$batch"
mapfile -t receipts < <(sed -n 's/^ *2) "\(.*\)"$/\1/p' <<<"$batch")
show DELETE "$Q" "${receipts[@]}"

say "the delayed job: wait up to 5 s for it"
receive "$Q" WAIT 5000
show DELETE "$Q" "$RECEIPT"

show STATS "$Q"

R="$Q-questions"
say "request/response: a caller puts a question; it gets a handle to wait on for the answer"
put "$R" "what is 6 x 7"
say "a worker takes the question and responds: the answer is stored and the question deleted"
take "$R" WAIT 5000
show RESPOND "$R" "$RECEIPT" "42"
say "the caller collects the answer (WAIT blocks up to TIMEOUT ms until it comes); only once"
show WAIT "$HANDLE" TIMEOUT 5000
show WAIT "$HANDLE" TIMEOUT 0

show PURGE "$Q"
