#!/usr/bin/env bash
set -euo pipefail
echo "installing with secret $SECRET"
echo "to stderr" >&2
if [ -n "${API_KEY:-}" ]; then echo "with api key $API_KEY"; fi
echo "run" >> "$MARKER"
if [ "$(wc -l < "$MARKER")" -eq 1 ]; then sleep "$SLEEP_FIRST_RUN"; fi
echo "marker_path=$MARKER" >> "$STEWARD_OUTPUT"
exit "$EXIT_CODE"
