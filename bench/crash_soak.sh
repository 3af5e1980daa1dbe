#!/usr/bin/env bash
# crash_soak.sh: the crash-safety test of tests/integration/test_crash.py
# with 200 SIGKILLs (CTest runs 20) over a bigger site.
#   bench/crash_soak.sh [BUILD_DIR] [KILLS]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
KILLS=${2:-200}
WN_WINNOWD="$BUILD/winnowd" WN_PLUGIN_DIR="$BUILD/plugins" \
    exec python3 tests/integration/test_crash.py --kills "$KILLS" --feeds 40 --items 50 \
    2> >(grep -v -e '^  ' -e '^Traceback' -e '^---' -e 'Error' -e 'Exception' -e '^$' >&2)
