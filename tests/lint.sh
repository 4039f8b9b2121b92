#!/usr/bin/env bash
# ansible-lint, production profile, offline: Galaxy is out of reach, amazon.aws comes from .cache.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export ANSIBLE_LINT_NODEPS=1
export ANSIBLE_COLLECTIONS_PATH="$repo/.cache/collections"
exec ansible-lint --profile production --offline
