#!/usr/bin/env bash
# Installs what building and testing the desktop app needs, skipping what is already there:
# Debian packages (WebKitGTK, Xvfb, WebKitWebDriver, a tray watcher), the en_US.UTF-8 and
# de_DE.UTF-8 locales, the UI's node packages and tauri-driver. Safe to run again; a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential libxdo-dev libssl-dev libayatana-appindicator3-dev
  librsvg2-dev xvfb xauth webkit2gtk-driver dbus-x11 locales
  python3-xlib x11-utils
  # The tray test plays a panel on a private bus: a real StatusNotifierWatcher, gdbus, dbus-daemon,
  # and dunst as the notification service.
  haskell-status-notifier-item-utils libglib2.0-bin dbus dunst
  # The window test stores a credential in a real keyring and reads it back.
  gnome-keyring libsecret-tools
)

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "desktop-deps: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

# WebKit and Intl need a real locale; C.UTF-8 makes the web view report "c". E2E runs in
# English and in German.
missing_locales=0
for loc in en_US de_DE; do
  if ! locale -a 2>/dev/null | grep -qi "^$loc\.utf-\?8$"; then
    echo "desktop-deps: enabling the $loc.UTF-8 locale"
    sudo_if_needed sed -i "s/^# *$loc.UTF-8 UTF-8/$loc.UTF-8 UTF-8/" /etc/locale.gen
    grep -q "^$loc.UTF-8 UTF-8" /etc/locale.gen || echo "$loc.UTF-8 UTF-8" | sudo_if_needed tee -a /etc/locale.gen >/dev/null
    missing_locales=1
  fi
done
if [ "$missing_locales" = 1 ]; then
  sudo_if_needed locale-gen >/dev/null
fi

# Node packages, only when the lock file changed since the last install.
if [ ! -f ui/node_modules/.package-lock.json ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  echo "desktop-deps: npm ci in ui/"
  (cd ui && npm ci --no-fund --no-audit)
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "desktop-deps: cargo install tauri-driver"
  cargo install tauri-driver --locked
fi
echo "desktop-deps: ready"
