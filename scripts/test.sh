#!/usr/bin/env bash
# Installs Ember with its test needs (torch 2.13.0 CPU as the oracle) and runs the default suite.
set -euo pipefail
python3 -m pip install -q -e ".[test]"
python3 -m pip install -q --no-deps torchvision==0.28.0
python3 -m pytest -q -n 2 --dist loadgroup "$@"
