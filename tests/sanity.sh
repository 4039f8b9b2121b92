#!/usr/bin/env bash
# Run `ansible-test sanity` on a copy of this checkout laid out as ansible_collections/seed/comprehend,
# with amazon.aws beside it (tests/ansible_test_layout.sh), on the Python of the ansible-test found first.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${SANITY_WORKDIR:-${TMPDIR:-/tmp}/seed-comprehend-sanity-$(printf %s "$repo" | md5sum | cut -c1-8)}
dest=$(bash "$repo/tests/ansible_test_layout.sh" "$work")
bin=$(dirname "$(command -v ansible-test)")
python_version=$("$bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
cd "$dest"
exec "$bin/ansible-test" sanity --python "$python_version" --venv --color no "$@"
