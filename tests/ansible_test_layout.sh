#!/usr/bin/env bash
# Lay out a copy of this checkout as WORKDIR/ansible_collections/seed/comprehend, with amazon.aws beside it,
# as ansible-test needs (it ignores ANSIBLE_COLLECTIONS_PATH and resolves symlinked cwds), and print that path.
# Also writes the get-pip stand-in that ansible-test's pip bootstrap needs offline, under $HOME.
# Usage: bash tests/ansible_test_layout.sh WORKDIR   (WORKDIR outside the checkout: inside it, ansible-test
# would ask git, which ignores the copy.)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$1
root=$work/ansible_collections
dest=$root/seed/comprehend
mkdir -p "$root/amazon" "$dest"
# Fresh copy each run, but keep tests/output: ansible-test keeps its bootstrap virtualenv there.
find "$dest" -mindepth 1 -maxdepth 1 ! -name tests -exec rm -rf {} +
find "$dest/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} + 2>/dev/null || true
# AMAZON_AWS_COLLECTION names another amazon.aws (the versions layer passes the one released beside its core).
ln -sfn "${AMAZON_AWS_COLLECTION:-$repo/.cache/collections/ansible_collections/amazon/aws}" "$root/amazon/aws"
# The files git would commit (tracked and new, not ignored), as they are in the work tree.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$dest")
# ansible-test bootstraps pip with get-pip.py from a host this network can't reach: a stand-in in its cache
# uses ensurepip instead and drops get-pip's own flags. Its file name follows the pip version the installed
# ansible-test asks for (get_pip_24_2.py, get_pip_25_2.py, ...), read from ansible-test's own source.
bin=$(dirname "$(command -v ansible-test)")
requirements_py=$("$bin/python" -c 'import ansible_test, os; print(os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py"))')
pip_versions=$(grep -oE "pip=['\"][0-9][0-9.]*['\"]" "$requirements_py" | grep -oE '[0-9][0-9.]*' | sort -u)
[ -n "$pip_versions" ] || { echo "ansible_test_layout.sh: no pip version found in $requirements_py: ansible-test changed how it bootstraps pip" >&2; exit 1; }
for pip_version in $pip_versions; do
  bootstrap=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
  mkdir -p "$(dirname "$bootstrap")"
  cat > "$bootstrap" <<'PY'
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
PY
done
echo "$dest"
