#!/usr/bin/env bash
# Installs the system packages Warden needs to build, test and run, when they are missing.
# Debian/Ubuntu; the Swift toolchain itself is expected to be installed already.
set -euo pipefail

packages=(git libcurl4-openssl-dev libsqlite3-dev pkg-config ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing: ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v swift >/dev/null 2>&1; then
  echo "swift is not on PATH: install the Swift 6 toolchain (https://www.swift.org/install/linux/)" >&2
  exit 1
fi
