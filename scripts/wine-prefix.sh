#!/usr/bin/env bash
# Makes a fresh, throwaway Wine prefix for running Windows builds of Overtime here, and exports
# WINEPREFIX and WINEDEBUG for what runs next. Sourced by scripts/test-windows and the Windows
# benchmark; needs scripts/windows-deps.sh sourced first (for mingw and Wine).
#
# Each call starts from nothing: state left by an earlier run (registry keys, Credential Manager
# entries, files under %APPDATA%) must not make a test pass.
set -euo pipefail

wine_root=${OVERTIME_WINE_ROOT:-${CARGO_TARGET_DIR:-$PWD/target}/wine}
mkdir -p "$wine_root"

# Wine 8.0 lacks bcryptprimitives.dll's ProcessPrng, which every Rust program calls at start
# (see scripts/wine/process_prng.c). Built once per source change.
wine_dll="$wine_root/bcryptprimitives.dll"
wine_src="$(dirname "${BASH_SOURCE[0]}")/wine"
if [[ ! -f $wine_dll || $wine_src/process_prng.c -nt $wine_dll || $wine_src/process_prng.def -nt $wine_dll ]]; then
  x86_64-w64-mingw32-gcc -O2 -shared -o "$wine_dll" \
    "$wine_src/process_prng.c" "$wine_src/process_prng.def" -lbcrypt
fi

rm -rf "$wine_root/prefix"
export WINEPREFIX="$wine_root/prefix"
export WINEDEBUG=${WINEDEBUG:--all}
# No Mono or Gecko installer prompts: nothing here needs .NET or Wine's HTML engine.
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
echo "wine-prefix: fresh prefix in $WINEPREFIX"
wineboot -i >/dev/null 2>&1
wineserver -w
cp "$wine_dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
# One wineserver for the whole run, ended by the caller's `wineserver -k`. Left to itself it
# exits a few seconds after its last program, and a program starting just then loses its
# connection ("wine client error: recvmsg: Connection reset by peer").
wineserver -p
