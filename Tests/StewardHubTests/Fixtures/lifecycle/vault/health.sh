#!/bin/sh
test -d /srv/vault
