#!/bin/sh
test -f "$STEWARD_BACKUP_DIR/dump"
