#!/usr/bin/env bash
# Installs the Debian packages named on the command line when any is missing (e.g. `nginx chromium`, which
# the operations tests drive for real). Idempotent and quiet: nothing is printed, and nothing is fetched,
# when every package is already installed. The package lists are refreshed only when they are empty, when a
# package has no install candidate, or when an install fails on lists that went stale.
# Services are not started by the install: the project runs its own nginx with its own configuration.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: bash bootstrap/system_packages.sh PACKAGE..." >&2
  exit 2
fi

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

missing=()
for package in "$@"; do
  installed "$package" || missing+=("$package")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "system packages: ${missing[*]} missing and this machine has no apt-get; install them with the system's package manager." >&2
  exit 1
fi
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null; then
    echo "system packages: ${missing[*]} missing; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  as_root=(sudo -n)
fi

needs_update() {
  [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null)" ] && return 0
  local package
  for package in "${missing[@]}"; do
    apt-cache policy "$package" 2>/dev/null | grep -q 'Candidate: (none)' && return 0
    [ -z "$(apt-cache policy "$package" 2>/dev/null)" ] && return 0
  done
  return 1
}

log="$(mktemp)"
policy=/usr/sbin/policy-rc.d
made_policy=0
cleanup() {
  rm -f "$log"
  if [ "$made_policy" = 1 ]; then "${as_root[@]}" rm -f "$policy"; fi
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  # Debian's maintainer scripts ask invoke-rc.d before starting a service; 101 means "not now".
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 0755 "$policy"
  made_policy=1
fi

update() {
  "${as_root[@]}" apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
}
install() {
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >"$log" 2>&1
}

needs_update && update
if ! install; then
  # Lists older than the mirror's pool answer 404 for superseded versions: refresh once and retry.
  update
  install || { cat "$log" >&2; echo "system packages: could not install ${missing[*]}" >&2; exit 1; }
fi
for package in "${missing[@]}"; do
  installed "$package" || { echo "system packages: $package is still not installed" >&2; exit 1; }
done
