#!/bin/sh
echo dump > "$STEWARD_BACKUP_DIR/dump"
