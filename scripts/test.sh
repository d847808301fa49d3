#!/usr/bin/env bash
# Runs every test. The tests run the real validators (Debian's nginx,
# docker-compose, openssl, unshare); this script installs the missing ones
# when it runs as root, and the tests fail (never skip) when one is absent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v nginx >/dev/null || packages+=(nginx)
command -v docker-compose >/dev/null || packages+=(docker-compose)
command -v openssl >/dev/null || packages+=(openssl)
command -v unshare >/dev/null || packages+=(util-linux)
command -v sha256sum >/dev/null || packages+=(coreutils)
command -v chromium >/dev/null || packages+=(chromium)
command -v git >/dev/null || packages+=(git)
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing validators: ${packages[*]}; install them (apt-get install ${packages[*]}) or run as root" >&2
    exit 1
  fi
  # Keep package scripts from starting the daemons they install.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

# Snapshots never update silently here: a changed artifact fails the run.
INSTA_UPDATE=no cargo test --locked "$@"
