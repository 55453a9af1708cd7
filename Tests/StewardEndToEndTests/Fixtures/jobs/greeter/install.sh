#!/usr/bin/env bash
set -euo pipefail
for step in 1 2 3 4 5; do
  echo "greeting $SITE ($step/5)"
  sleep 0.4
done
if [ "$USE_TLS" = true ]; then echo "certificate contact: $TLS_EMAIL"; fi
echo "done"
