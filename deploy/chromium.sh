#!/usr/bin/env bash
# deploy/chromium.sh — ensures Debian's Chromium is installed at /usr/bin/chromium (for the
# playwright-core browser tests) and prints exactly one line on stdout:
#   CHROMIUM=/usr/bin/chromium
# Diagnostics go to stderr. Installing needs root (apt-get).
set -euo pipefail

ME=chromium.sh
CHROMIUM=/usr/bin/chromium

log() { printf '%s: %s\n' "$ME" "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [[ ! -x $CHROMIUM ]]; then
  [[ $(id -u) -eq 0 ]] || die "$CHROMIUM missing and not root; install it with: apt-get install chromium"
  log "$CHROMIUM missing; installing Debian package chromium ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2 || die "apt-get update failed"
  apt-get install -y chromium >&2 || die "apt-get install chromium failed"
  [[ -x $CHROMIUM ]] || die "chromium installed but $CHROMIUM still missing"
fi

# the launcher wrapper must at least run; report its version
version=$("$CHROMIUM" --version 2>/dev/null) || die "$CHROMIUM --version failed"
log "$version"
echo "CHROMIUM=$CHROMIUM"
