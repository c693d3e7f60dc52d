#!/usr/bin/env bash
# Installs what building and testing Overtime needs, skipping whatever is already there.
# Sourced by scripts/run and scripts/test; safe to run again and again.
set -euo pipefail

# What building needs (libdbus-1-dev: the keyring's Secret Service client links libdbus).
APT_PACKAGES=(build-essential pkg-config ca-certificates curl libdbus-1-dev)
# What the tests add: the real BOINC client they start on a loopback port (the Debian
# package does not start its system service unless told to), and a private D-Bus session
# with gnome-keyring's Secret Service for the secrets tests.
APT_TEST_PACKAGES=(boinc-client dbus gnome-keyring)

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: need root (or sudo) to install: $*" >&2; return 1; fi
}

ensure_apt_packages() {
  command -v dpkg >/dev/null || { echo "note: not a Debian/Ubuntu system; install the equivalents of: ${APT_PACKAGES[*]}" >&2; return 0; }
  local missing=()
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "==> installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null; then
    [[ -x "$HOME/.cargo/bin/cargo" ]] && export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null; then
    echo "==> installing the Rust toolchain (rustup, stable)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if command -v rustup >/dev/null; then
    rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
    rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
  fi
}

ensure_apt_packages "${APT_PACKAGES[@]}"
if [[ ${OVERTIME_WITH_TEST_DEPS:-0} == 1 ]]; then
  ensure_apt_packages "${APT_TEST_PACKAGES[@]}"
fi
ensure_rust
