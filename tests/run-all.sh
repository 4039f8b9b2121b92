#!/usr/bin/env bash
# `make test`: every test layer in turn, each closing with its own summary line, then one line for all.
# Runs every layer even after a failure, so one run shows everything that is wrong.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PYTHONPATH="$repo/.cache/collections${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
layers=${TEST_LAYERS:-sanity units emulator integration targets reliability docs release lint build versions}
passed=() failed=()

run_layer() {
  local name=$1; shift
  printf '\n===== %s: %s\n' "$name" "$*"
  local started=$SECONDS
  if "$@"; then passed+=("$name"); status=passed; else failed+=("$name"); status=FAILED; fi
  printf '===== %s %s in %ss\n' "$name" "$status" "$((SECONDS - started))"
}

for layer in $layers; do
  case $layer in
    # The versions layer takes the sanity layer's result for the core they share instead of running it again.
    sanity) run_layer sanity bash tests/sanity.sh; export SANITY_LAYER_RESULT=$status ;;
    units) run_layer units python -m pytest tests/unit -q -p no:cacheprovider ;;
    emulator) run_layer emulator python -m pytest tests/emulator -q -p no:cacheprovider ;;
    integration) run_layer integration python -m pytest tests/integration -q -p no:cacheprovider -n 2 ;;
    targets) run_layer targets python tests/integration/ansible_test_targets.py ;;
    reliability) run_layer reliability python -m pytest tests/reliability -q -p no:cacheprovider -n 2 ;;
    docs) run_layer docs python -m pytest tests/docs -q -p no:cacheprovider ;;
    release) run_layer release python -m pytest tests/ee tests/release -q -p no:cacheprovider ;;
    lint) run_layer lint bash tests/lint.sh ;;
    build) run_layer build python tests/build_check.py ;;
    versions) run_layer versions python tests/versions/run.py ;;
    *) echo "unknown layer: $layer"; failed+=("$layer") ;;
  esac
done

printf '\n===== summary\n'
for name in "${passed[@]}"; do printf '  %-12s passed\n' "$name"; done
for name in "${failed[@]}"; do printf '  %-12s FAILED\n' "$name"; done
echo "layers: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
