#!/usr/bin/env bash
echo "probe-base removed"
