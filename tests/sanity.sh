#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of this checkout laid out as ansible_collections/seed/comprehend,
# with amazon.aws beside it (tests/ansible_test_layout.sh).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${SANITY_WORKDIR:-${TMPDIR:-/tmp}/seed-comprehend-sanity-$(printf %s "$repo" | md5sum | cut -c1-8)}
dest=$(bash "$repo/tests/ansible_test_layout.sh" "$work")
cd "$dest"
exec ansible-test sanity --python 3.11 --venv --color no "$@"
