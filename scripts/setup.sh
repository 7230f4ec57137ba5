#!/usr/bin/env bash
# Set up this checkout on a fresh Debian 12 / Raspberry Pi OS machine: the Debian packages that are
# missing (apt-get, as root or through sudo), then a virtualenv in .venv with the project and its test tools.
# Idempotent: a second run installs nothing new.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the kiosk and its tests need. Later issues add theirs here.
# pyscard builds from source (swig, libpcsclite-dev); evdev needs the kernel headers (linux-libc-dev);
# Kivy's wheel brings SDL2 but not OpenGL (Mesa) nor mtdev (touch input);
# the tests run the real PC/SC stack (pcscd + the vsmartcard vpcd driver), Kivy under Xvfb, and PostgreSQL;
# the deploy tests run shellcheck, systemd-analyze verify, and the Pi install script in a debootstrap root;
# the hub's web pages are tested in Debian's headless Chromium (driven by Playwright, no browser download).
DEB_PACKAGES=(python3 python3-venv python3-dev gcc make linux-libc-dev swig libpcsclite-dev
              pcscd vsmartcard-vpcd postgresql xvfb libmtdev1 libgl1 libegl1 libgl1-mesa-dri libglx-mesa0
              shellcheck debootstrap systemd chromium)

missing=()
for package in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installation des paquets Debian manquants : ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test,hub]'
  touch "$stamp"
fi
