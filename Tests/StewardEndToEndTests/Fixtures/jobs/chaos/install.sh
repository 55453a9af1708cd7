#!/usr/bin/env bash
# One line when the run starts and one when it ends, with the time in milliseconds: the chaos test
# reads them to tell a run that ended from one that was cut off.
set -euo pipefail
echo "start $(date +%s%3N) $$" >> "$LEDGER"
sleep "$PAUSE"
echo "end $(date +%s%3N) $$" >> "$LEDGER"
