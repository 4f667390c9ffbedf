#!/usr/bin/env bash
# The GitHub Action's check step (action.yml), runnable anywhere: install linkcheck from this
# checkout into a virtual environment, check, annotate the cited lines and write a summary.
#
# Settings (the action passes its inputs through these):
#   LINKCHECK_PATHS              what to check (default: .); files, folders or globs (** too),
#                                read with shell quoting rules ('a b.md' is one path; newlines
#                                separate like spaces) and never expanded by the shell:
#                                linkcheck expands the globs itself
#   LINKCHECK_ARGS               extra arguments, read the same way: --exclude 'x|y' --header 'A: b'
#   LINKCHECK_FAIL_ON            statuses that fail the step (default: linkcheck's own)
#   LINKCHECK_FAIL               "false": the step passes whatever was found (default: true)
#   LINKCHECK_OUTPUT             also write the report to this file...
#   LINKCHECK_OUTPUT_FORMAT      ...in this format (default: markdown); annotations still go
#                                to the log
#   LINKCHECK_HTML_REPORT        also write the HTML report to this file
#   LINKCHECK_WORKING_DIRECTORY  where to run (default: the current directory)
#   LINKCHECK_CACHE              "true" (default) to read and write .linkcheck/cache.db, "false"
#   LINKCHECK_VENV               where to install (default: $RUNNER_TEMP/linkcheck-venv); an
#                                environment that already has linkcheck is used as it is
#   LINKCHECK_PYTHON             the interpreter that creates the environment (default: python3)
# With GITHUB_OUTPUT set, the exit code is written there as exit_code=N.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${LINKCHECK_VENV:-${RUNNER_TEMP:-/tmp}/linkcheck-venv}"

if ! "$venv/bin/linkcheck" --version >/dev/null 2>&1; then
  "${LINKCHECK_PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$here"
fi

# Shell quoting rules without any expansion: shlex, not the shell, splits the words.
words() {
  "$venv/bin/python" -c 'import shlex, sys; print("\0".join(shlex.split(sys.argv[1])), end="")' "$1"
}
paths=()
while IFS= read -r -d '' word; do paths+=("$word"); done < <(words "${LINKCHECK_PATHS:-.}"; printf '\0')
extra=()
while IFS= read -r -d '' word; do extra+=("$word"); done < <(words "${LINKCHECK_ARGS:-}"; printf '\0')
# An empty last word comes from the terminating NUL of an empty list: drop it.
[ "${#paths[@]}" -gt 0 ] && [ -z "${paths[-1]}" ] && unset 'paths[-1]'
[ "${#extra[@]}" -gt 0 ] && [ -z "${extra[-1]}" ] && unset 'extra[-1]'

if [ -n "${LINKCHECK_WORKING_DIRECTORY:-}" ]; then
  cd "$LINKCHECK_WORKING_DIRECTORY"
fi

report="$(mktemp "${RUNNER_TEMP:-/tmp}/linkcheck-report.XXXXXX")"
trap 'rm -f "$report"' EXIT
args=(check)
if [ "${LINKCHECK_CACHE:-true}" = "false" ]; then
  args+=(--no-cache)
fi
if [ -n "${LINKCHECK_FAIL_ON:-}" ]; then
  args+=(--fail-on "$LINKCHECK_FAIL_ON")
fi
# The JSON report comes last, so that a --format or -o among the extra arguments cannot take
# the annotations' place; the annotations and the report file are rendered from it.
args+=("${extra[@]}" --format json -o "$report" -- "${paths[@]}")

code=0
"$venv/bin/linkcheck" "${args[@]}" || code=$?
if [ -s "$report" ]; then
  "$venv/bin/linkcheck" merge "$report" --format github || true
  if [ -n "${LINKCHECK_OUTPUT:-}" ]; then
    "$venv/bin/linkcheck" merge "$report" --format "${LINKCHECK_OUTPUT_FORMAT:-markdown}" \
      -o "$LINKCHECK_OUTPUT" || true
  fi
  if [ -n "${LINKCHECK_HTML_REPORT:-}" ]; then
    "$venv/bin/linkcheck" merge "$report" --format html -o "$LINKCHECK_HTML_REPORT" || true
  fi
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "exit_code=$code" >> "$GITHUB_OUTPUT"
fi
if [ "${LINKCHECK_FAIL:-true}" = "false" ]; then
  exit 0
fi
exit "$code"
