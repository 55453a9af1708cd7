#!/usr/bin/env bash
# Healthy when the engine answers and Compose is installed.
set -euo pipefail
command -v docker >/dev/null || { echo "docker is not installed"; exit 1; }
docker info >/dev/null 2>&1 || { echo "the docker engine does not answer"; exit 1; }
docker compose version >/dev/null 2>&1 || docker-compose version >/dev/null 2>&1 || { echo "compose is missing"; exit 1; }
