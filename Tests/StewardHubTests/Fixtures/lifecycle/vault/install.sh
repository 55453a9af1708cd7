#!/bin/sh
mkdir -p /srv/vault
