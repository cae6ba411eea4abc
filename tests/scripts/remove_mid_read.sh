#!/usr/bin/env bash
# Drive `jpki-mock-card serve` from the shell with OpenSC's opensc-tool, as a project in
# another language would: the card is pulled out in the middle of reading a certificate,
# opensc-tool sees the error, the reader is empty, the card goes back in and reads again.
# The fault is set by talking to the control socket with socat (one line of text in, one
# line of JSON out); the other commands use `jpki-mock-card ctl`.
#
# Needs: jpki-mock-card on PATH, pcscd running with vsmartcard's vpcd driver, opensc-tool
# and socat (apt install pcscd vsmartcard-vpcd opensc socat), vpcd's first slot (port
# 35963) free. Environment: JPKI_MOCK_STATE and JPKI_MOCK_CONTROL may point somewhere
# private.
set -euo pipefail

# where `serve` puts its control socket (mock_card.control.default_control_path)
if [ -n "${JPKI_MOCK_CONTROL:-}" ]; then
  SOCKET=$JPKI_MOCK_CONTROL
elif [ -d "${XDG_RUNTIME_DIR:-}" ]; then
  SOCKET=$XDG_RUNTIME_DIR/jpki-mock-card/vpcd-35963.sock
else
  SOCKET=${TMPDIR:-/tmp}/jpki-mock-card-$(id -u)/vpcd-35963.sock
fi

SELECT_JPKI=00A4040C0AD392F000260100000001
SELECT_AUTH_CERT=00A4020C02000A
READ=00B0          # READ BINARY, then offset (2 bytes) and Le
step() { printf '== %s\n' "$*"; }

jpki-mock-card serve --vpcd 35963 &
daemon=$!
trap 'kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true' EXIT

READER=$(jpki-mock-card ctl wait --timeout 20)
step "the card is in '$READER'"

name=$(opensc-tool --reader "$READER" --name)
step "OpenSC's driver for it: $name"
[ "$name" = jpki ] || { echo "FAIL: OpenSC does not take it for a JPKI card" >&2; exit 1; }

step "a whole read works"
opensc-tool --reader "$READER" --card-driver default \
  -s "$SELECT_JPKI" -s "$SELECT_AUTH_CERT" -s "${READ}000000" -s "${READ}010000" >/dev/null

step "pull the card out at the 4th APDU: the second READ BINARY"
answer=$(printf 'fault remove 4\n' | socat - "UNIX-CONNECT:$SOCKET")
grep -q '"ok": true' <<<"$answer" || { echo "FAIL: the daemon answered: $answer" >&2; exit 1; }
grep -q '"faults_pending": 1' <<<"$answer" || { echo "FAIL: no fault pending: $answer" >&2; exit 1; }
if out=$(opensc-tool --reader "$READER" --card-driver default \
  -s "$SELECT_JPKI" -s "$SELECT_AUTH_CERT" -s "${READ}000000" -s "${READ}010000" 2>&1); then
  echo "FAIL: the read went through although the card was pulled out" >&2
  exit 1
fi
grep -q 'Received (SW1=0x90, SW2=0x00)' <<<"$out" \
  || { echo "FAIL: the first APDUs did not get through: $out" >&2; exit 1; }
error=$(grep -i 'failed' <<<"$out" | tail -n 1 || true)
step "opensc-tool saw: $error"
[ -n "$error" ] || { echo "FAIL: no error message from opensc-tool" >&2; exit 1; }

step "the daemon says the card is out, and the reader is empty"
status=$(jpki-mock-card ctl status)
grep -q '^in reader *no$' <<<"$status" || { echo "FAIL: status says: $status" >&2; exit 1; }
for _ in $(seq 50); do  # pcscd polls the reader a few times a second
  opensc-tool --reader "$READER" --atr >/dev/null 2>&1 || break
  sleep 0.1
done
if opensc-tool --reader "$READER" --atr >/dev/null 2>&1; then
  echo "FAIL: opensc-tool still finds a card in $READER" >&2
  exit 1
fi

step "put it back: it reads again"
jpki-mock-card ctl insert >/dev/null
jpki-mock-card ctl wait --timeout 20 >/dev/null
out=$(opensc-tool --reader "$READER" --card-driver default \
  -s "$SELECT_JPKI" -s "$SELECT_AUTH_CERT" -s "${READ}000004")
grep -q '^30 82 ' <<<"$out" || { echo "FAIL: no certificate header in: $out" >&2; exit 1; }
step "PIN counters: $(jpki-mock-card ctl pins | tr '\n' ' ')"
step "ok"
