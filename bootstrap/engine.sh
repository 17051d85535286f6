#!/usr/bin/env bash
# Makes a Pulumi engine available and prints the directory that holds it (the last line of stdout).
#
# - A `pulumi` already on PATH is used as it is (a laptop or CI with the normal install), unless
#   STAGECRAFT_BUILD_ENGINE=1 asks for the offline build.
# - Otherwise the CLI and the Python language host are built from the Go module proxy with the wrapper module
#   in bootstrap/engine (see its README), into a cache outside the clone keyed by version, so that a second
#   run on the same machine only checks that the files are there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
module="$root/bootstrap/engine"
version="$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2; exit }' "$module/go.mod")"
cache="${STAGECRAFT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stagecraft}/engine/$version"
bin="$cache/bin"

if [ "${STAGECRAFT_BUILD_ENGINE:-0}" != "1" ] && existing="$(command -v pulumi 2>/dev/null)" \
   && [ "$(dirname "$existing")" != "$bin" ]; then
  echo "engine: using the pulumi on PATH ($existing, $(pulumi version 2>/dev/null))" >&2
  dirname "$existing"
  exit 0
fi

wanted=(pulumi pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python pulumi-analyzer-policy-python)
complete=1
for f in "${wanted[@]}"; do [ -x "$bin/$f" ] || complete=0; done
if [ "$complete" = 1 ]; then
  echo "engine: cached Pulumi $version in $bin" >&2
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "engine: no 'pulumi' on PATH and no Go toolchain to build it. Install Pulumi (https://www.pulumi.com/docs/install/) or Go 1.23+, then run this again." >&2
  exit 1
fi

echo "engine: building Pulumi $version from the Go module proxy (a few minutes, once per machine)..." >&2
staging="$(mktemp -d "${cache%/*}/.build-XXXXXX" 2>/dev/null || { mkdir -p "${cache%/*}"; mktemp -d "${cache%/*}/.build-XXXXXX"; })"
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/bin"
# -checklinkname=0: a 3.79.0 dependency links to a runtime-internal symbol that Go 1.23+ refuses by default.
ldflags="-s -w -checklinkname=0 -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version -X github.com/pulumi/pulumi/pkg/v3/version.Version=$version"
(
  cd "$module"
  export GOFLAGS=-mod=readonly
  go build -trimpath -ldflags "$ldflags" -o "$staging/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  go build -trimpath -ldflags "$ldflags" -o "$staging/bin/pulumi-language-python" \
    github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python
  sdk="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
  install -m 0755 "$sdk/python/cmd/pulumi-language-python-exec" "$staging/bin/"
  install -m 0755 "$sdk/python/dist/pulumi-resource-pulumi-python" "$staging/bin/"
  install -m 0755 "$sdk/python/dist/pulumi-analyzer-policy-python" "$staging/bin/"
)
rm -rf "$cache"
mkdir -p "$cache"
mv "$staging/bin" "$bin"
echo "engine: built Pulumi $version into $bin" >&2
echo "$bin"
