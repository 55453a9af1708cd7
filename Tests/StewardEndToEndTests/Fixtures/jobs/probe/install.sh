#!/usr/bin/env bash
set -euo pipefail
echo "installing with secret $SECRET"
echo "to stderr" >&2
echo "run" >> "$MARKER"
echo "marker_path=$MARKER" >> "$STEWARD_OUTPUT"
exit "$EXIT_CODE"
