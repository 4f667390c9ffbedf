#!/usr/bin/env bash
# The GitHub Action's check step (action.yml), runnable anywhere: install linkcheck from this
# checkout into a virtual environment, then check with annotations and a step summary.
#
# Settings (the action passes its inputs through these):
#   LINKCHECK_PATHS      what to check (default: .)
#   LINKCHECK_ARGS       extra arguments, e.g. "--exclude-private --fail-after 2"
#   LINKCHECK_FAIL_ON    statuses that fail the step (default: linkcheck's own)
#   LINKCHECK_CACHE      "true" (default) to read and write .linkcheck/cache.db, "false" for none
#   LINKCHECK_VENV       where to install (default: $RUNNER_TEMP/linkcheck-venv); an environment
#                        that already has linkcheck is used as it is
#   LINKCHECK_PYTHON     the interpreter that creates the environment (default: python3)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${LINKCHECK_VENV:-${RUNNER_TEMP:-/tmp}/linkcheck-venv}"

if ! "$venv/bin/linkcheck" --version >/dev/null 2>&1; then
  "${LINKCHECK_PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$here"
fi

args=(check --format github)
if [ "${LINKCHECK_CACHE:-true}" = "false" ]; then
  args+=(--no-cache)
fi
if [ -n "${LINKCHECK_FAIL_ON:-}" ]; then
  args+=(--fail-on "$LINKCHECK_FAIL_ON")
fi
# Word splitting is wanted here: both settings are lists of words.
# shellcheck disable=SC2206
args+=(${LINKCHECK_ARGS:-} ${LINKCHECK_PATHS:-.})

exec "$venv/bin/linkcheck" "${args[@]}"
