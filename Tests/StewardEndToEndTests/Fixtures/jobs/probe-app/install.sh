#!/usr/bin/env bash
echo "probe-app installed"
