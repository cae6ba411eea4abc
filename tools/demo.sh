#!/usr/bin/env bash
# `make demo`: the office's staff console (https://127.0.0.1:8443/console/, seeded staff
# accounts, printed below) beside the kiosk on the built-in mock card, whose requests go
# to the office. On a machine with no display (a server, a container) the kiosk cannot
# open: the demo says so, runs the library tour, then serves the console alone.
set -euo pipefail
cd "$(dirname "$0")/.."
unset QT_QPA_PLATFORM
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: starting the office and its console, then the kiosk on the mock card."
  echo "demo: insert the card with the panel on the right."
  exec .venv/bin/python tools/console_demo.py --kiosk "$@"
fi
echo "demo: no display here (DISPLAY is not set), so the kiosk window cannot open."
echo "demo: on a machine with a screen, 'make demo' starts it; every screen is in docs/screenshots/."
echo "demo: meanwhile, a tour of the library on the same mock card:"
echo
.venv/bin/python -m mock_card.demo
echo
echo "demo: and the office's staff console (pages: docs/screenshots/console/):"
exec .venv/bin/python tools/console_demo.py "$@"
