#!/usr/bin/env bash
# `make login-team`: log the Pulumi CLI in to the team's state bucket on an S3-compatible store (R2's free tier).
#
#   STAGECRAFT_STATE_BUCKET    the bucket, e.g. stagecraft-state
#   STAGECRAFT_STATE_ENDPOINT  the S3 endpoint, e.g. https://<account id>.r2.cloudflarestorage.com
#   STAGECRAFT_STATE_REGION    optional, default "auto" (R2); any region name for other stores
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY   an R2 API token's S3 credentials (read by the engine, never stored)
#
# The engine (3.79, pkg/backend/filestate) opens `s3://` URLs with gocloud.dev's s3blob (aws-sdk-go v1), which reads
# `endpoint`, `region`, `s3ForcePathStyle` and `disableSSL` from the URL (gocloud.dev v0.27.0 aws/aws.go). Stack locking
# is always on in this backend: every update, refresh, destroy, import, stack creation, removal and rename first
# writes `.pulumi/locks/<org>/<project>/<stack>/<lock id>.json` and refuses to start while another lock of that stack
# exists (pkg/backend/filestate/lock.go `Lock`, called from backend.go); 3.79 has no setting that turns it off or on.
set -euo pipefail
bucket="${STAGECRAFT_STATE_BUCKET:-}"
endpoint="${STAGECRAFT_STATE_ENDPOINT:-}"
region="${STAGECRAFT_STATE_REGION:-auto}"
missing=()
[ -n "$bucket" ] || missing+=(STAGECRAFT_STATE_BUCKET)
[ -n "$endpoint" ] || missing+=(STAGECRAFT_STATE_ENDPOINT)
[ -n "${AWS_ACCESS_KEY_ID:-}" ] || missing+=(AWS_ACCESS_KEY_ID)
[ -n "${AWS_SECRET_ACCESS_KEY:-}" ] || missing+=(AWS_SECRET_ACCESS_KEY)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "login-team: set ${missing[*]} (README: \"State for teams\"), e.g." >&2
  echo "  export STAGECRAFT_STATE_BUCKET=stagecraft-state STAGECRAFT_STATE_ENDPOINT='https://<account id>.r2.cloudflarestorage.com'" >&2
  exit 2
fi
case "$endpoint" in
  https://*) tls="" ;;
  http://*) tls="&disableSSL=true" ;;
  *) echo "login-team: STAGECRAFT_STATE_ENDPOINT must start with https:// (or http:// for a local test server), got '$endpoint'" >&2; exit 2 ;;
esac
url="s3://${bucket}?endpoint=${endpoint}&s3ForcePathStyle=true&region=${region}${tls}"
pulumi login "$url"
