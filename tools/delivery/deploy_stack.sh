#!/usr/bin/env bash
# Deploys one stack and gates it on its health (the deploy workflow's step, DESIGN §9):
#   pulumi up -s STACK --policy-pack policies, then `stagecraft health-check -s STACK`;
#   when the health check fails, `stagecraft rollback -s STACK`, and the job fails with both results
#   (printed, and written to the job summary when GITHUB_STEP_SUMMARY is set).
# Usage: bash tools/delivery/deploy_stack.sh STACK   (with `pulumi` and `stagecraft` on PATH: . bootstrap/env.sh)
# In a job that may mint a GitHub OIDC ID token (permissions: id-token: write, production's deploy job), each update
# (the rollback's too) gets a fresh one as STAGECRAFT_OIDC_TOKEN: the tokens expire minutes after they are issued,
# and a rollback starts after the update, its builds and the health check's retries.
set -euo pipefail
stack="${1:?usage: deploy_stack.sh STACK}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

fresh_oidc_token() {
  if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] || [ -z "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ]; then
    return 0
  fi
  local token
  token="$(curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
    "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=stagecraft" | python3 -c 'import json, sys; print(json.load(sys.stdin)["value"])')"
  echo "::add-mask::$token"
  export STAGECRAFT_OIDC_TOKEN="$token"
}

fresh_oidc_token
pulumi up -s "$stack" --yes --non-interactive --policy-pack policies

if stagecraft health-check -s "$stack" >"$work/health.txt" 2>&1; then
  cat "$work/health.txt"
  echo "deploy: $stack is live and healthy"
  exit 0
fi
cat "$work/health.txt"
echo "deploy: the health check of $stack failed after the update; rolling back" >&2
fresh_oidc_token
if stagecraft rollback -s "$stack" >"$work/rollback.txt" 2>&1; then
  outcome="rolled back to the previous successful update"
else
  outcome="ROLLBACK FAILED: the stack still serves the unhealthy update"
fi
cat "$work/rollback.txt"
{
  echo "## $stack: post-deploy health check failed"
  echo '```text'
  cat "$work/health.txt"
  echo '```'
  echo "## $stack: $outcome"
  echo '```text'
  cat "$work/rollback.txt"
  echo '```'
} >>"$summary"
echo "deploy: $stack failed its health check; $outcome" >&2
exit 1
