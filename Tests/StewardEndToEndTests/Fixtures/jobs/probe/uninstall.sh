#!/usr/bin/env bash
set -euo pipefail
rm -f "$MARKER"
