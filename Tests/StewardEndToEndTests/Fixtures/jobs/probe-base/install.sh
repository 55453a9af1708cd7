#!/usr/bin/env bash
set -euo pipefail
if [ -e /tmp/steward-probe-base.fail ]; then echo "probe-base fails on purpose"; exit 1; fi
echo "probe-base installed"
