#!/usr/bin/env bash
# Installs what checking the workspace for Windows (x86_64-pc-windows-gnu) needs, skipping what is
# already there: Rust's standard library for the target and Debian's mingw-w64 C/C++ compilers
# (bundled SQLite, ring and the window's resource file are compiled with them), and with
# OVERTIME_WITH_WINE=1 what running those builds here needs. Sourced by
# scripts/check-windows, so the cross-compiler settings it exports reach cargo; safe to run again.
set -euo pipefail

WINDOWS_TARGET=x86_64-pc-windows-gnu
WINDOWS_APT_PACKAGES=(gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64)
# Running the Windows builds (scripts/test-windows): Debian's 64-bit Wine, and Xvfb for the
# Windows parts that want a display (the tray icon's hidden window).
if [[ ${OVERTIME_WITH_WINE:-0} == 1 ]]; then
  WINDOWS_APT_PACKAGES+=(wine wine64 xvfb xauth)
fi

windows_deps_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! rustup target list --installed 2>/dev/null | grep -qx "$WINDOWS_TARGET"; then
  command -v rustup >/dev/null || {
    echo "windows-deps: rustup is needed to add the $WINDOWS_TARGET target; install Rust with rustup" >&2
    return 1 2>/dev/null || exit 1
  }
  echo "windows-deps: rustup target add $WINDOWS_TARGET"
  rustup target add "$WINDOWS_TARGET"
fi

windows_missing=()
for p in "${WINDOWS_APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || windows_missing+=("$p")
done
if [ ${#windows_missing[@]} -gt 0 ]; then
  echo "windows-deps: installing ${windows_missing[*]}"
  windows_deps_as_root apt-get update -qq
  windows_deps_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${windows_missing[@]}"
fi

# cargo and the cc crate pick these up for the Windows target only; Linux builds are unaffected.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CC_x86_64_pc_windows_gnu=x86_64-w64-mingw32-gcc
export CXX_x86_64_pc_windows_gnu=x86_64-w64-mingw32-g++
export AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar
