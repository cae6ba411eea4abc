#!/usr/bin/env bash
# `make demo`: the kiosk on the built-in mock card. On a machine with no display
# (a server, a container) it says so, runs the library tour instead and points
# at the screenshots of every kiosk screen.
set -euo pipefail
cd "$(dirname "$0")/.."
unset QT_QPA_PLATFORM
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: starting the kiosk on the mock card (PINs: auth 1234, sign ABCD1234)."
  echo "demo: insert the card with the panel on the right."
  exec .venv/bin/python -m gui.app --reader mock "$@"
fi
echo "demo: no display here (DISPLAY is not set), so the kiosk window cannot open."
echo "demo: on a machine with a screen, 'make demo' starts it; every screen is in docs/screenshots/."
echo "demo: meanwhile, a tour of the library on the same mock card:"
echo
exec .venv/bin/python -m mock_card.demo
