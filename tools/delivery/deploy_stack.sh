#!/usr/bin/env bash
# Deploys one stack and gates it on its health (the deploy workflow's step, DESIGN §9):
#   pulumi up -s STACK --policy-pack policies, then `stagecraft health-check -s STACK`;
#   when the health check fails, `stagecraft rollback -s STACK`, and the job fails with both results
#   (printed, and written to the job summary when GITHUB_STEP_SUMMARY is set).
# Usage: bash tools/delivery/deploy_stack.sh STACK   (with `pulumi` and `stagecraft` on PATH: . bootstrap/env.sh)
set -euo pipefail
stack="${1:?usage: deploy_stack.sh STACK}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

pulumi up -s "$stack" --yes --non-interactive --policy-pack policies

if stagecraft health-check -s "$stack" >"$work/health.txt" 2>&1; then
  cat "$work/health.txt"
  echo "deploy: $stack is live and healthy"
  exit 0
fi
cat "$work/health.txt"
echo "deploy: the health check of $stack failed after the update; rolling back" >&2
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
