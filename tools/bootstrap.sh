#!/usr/bin/env bash
# Install what the project needs on a Debian machine: apt packages (when
# missing, as root), then a virtualenv in .venv with the project in editable mode.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # build and run pyscard, and the PC/SC stack with the virtual reader
  gcc python3-dev python3-venv libpcsclite-dev pcscd vsmartcard-vpcd
  # cross-checks and real components in tests (opensc and socat drive the mock card daemon)
  openssl poppler-utils postgresql opensc socat
  # the console's browser tests (Debian's browser, driven by Playwright) and pdfsig's trust store
  chromium chromium-driver libnss3-tools
  # Qt offscreen / Xvfb, and a CJK font for Japanese
  xvfb xauth x11-utils fonts-noto-cjk libegl1 libgl1 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0
  libdbus-1-3 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1
  libxcb-cursor0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing apt packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing the project and its dependencies into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[dev,office]'
  touch "$stamp"
fi
