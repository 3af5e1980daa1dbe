#!/usr/bin/env bash
# dev.sh: the two README commands and what they share.
#
#   ./dev.sh demo    set up, build, run `winnowd once` over the bundled demo
#                    feeds into a SQLite file and list what it stored
#   ./dev.sh test    set up, build, run every test
#   ./dev.sh asan    set up, build with ASan+UBSan, run every test under them
#   ./dev.sh fuzz    set up, build the libFuzzer targets with clang and run
#                    each for WN_FUZZ_SECONDS (default 20) from its seeds
#   ./dev.sh nspawn  set up, build, run the unit under a real systemd in a
#                    debootstrap tree booted with systemd-nspawn (as root)
#   ./dev.sh container  set up, build, build the image with podman from a
#                    debootstrap base and run the sidecar test in it
#   ./dev.sh setup [bench|fuzz|nspawn|container]   only install what is missing
#
# Set-up installs missing Debian 12 packages when run as root; otherwise it
# prints the exact apt-get line to run and stops.
set -euo pipefail
cd "$(dirname "$0")"

JOBS=$(nproc 2>/dev/null || echo 2)
BUILD=${WN_BUILD_DIR:-build}

PKGS_BUILD="gcc make cmake pkg-config libc6-dev libcurl4-openssl-dev libxml2-dev
  libuv1-dev libsqlite3-dev libjansson-dev libutf8proc-dev libxxhash-dev
  libinih-dev libpcre2-dev libzstd-dev libpq-dev libmicrohttpd-dev libssl-dev
  libjemalloc-dev"
PKGS_TEST="libcmocka-dev python3 postgresql prometheus chromium nginx openssl"
PKGS_CONTAINER="podman runc debootstrap"
PKGS_BENCH="nginx-light time newsboat python3-readability nodejs npm python3-feedparser"
PKGS_FUZZ="clang libclang-rt-14-dev"
PKGS_NSPAWN="debootstrap systemd-container dpkg-dev"

missing() {
    local p out=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
            || out="$out $p"
    done
    echo "$out"
}

setup() {
    local want="$PKGS_BUILD $PKGS_TEST" need
    case "${1:-}" in
        bench) want="$want $PKGS_BENCH" ;;
        fuzz) want="$want $PKGS_FUZZ" ;;
        nspawn) want="$want $PKGS_NSPAWN" ;;
        container) want="$want $PKGS_CONTAINER" ;;
    esac
    # shellcheck disable=SC2086
    need=$(missing $want)
    [ -z "$need" ] && return 0
    if [ "$(id -u)" -eq 0 ]; then
        echo "dev.sh: installing:$need" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $need >/dev/null
    else
        echo "dev.sh: missing Debian packages; run as root:" >&2
        echo "  apt-get install -y --no-install-recommends$need" >&2
        exit 1
    fi
}

build() {
    local dir=$1; shift
    cmake -S . -B "$dir" -DWN_WERROR=ON "$@" >/dev/null
    cmake --build "$dir" -j"$JOBS"
}

case "${1:-}" in
    setup)
        setup "${2:-}"
        ;;
    demo)
        setup
        build "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo
        "$BUILD"/winnowd once -c "$BUILD"/demo.conf
        "$BUILD"/winnowd list -c "$BUILD"/demo.conf
        ;;
    test)
        setup
        build "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo
        ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS" -LE slow
        ;;
    nspawn)
        setup nspawn
        build "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo
        WN_NSPAWN_REQUIRED=1 \
            ctest --test-dir "$BUILD" --output-on-failure -L nspawn
        ;;
    asan)
        setup
        build "$BUILD-asan" -DCMAKE_BUILD_TYPE=Debug -DWN_SANITIZE=ON
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            ctest --test-dir "$BUILD-asan" --output-on-failure -j"$JOBS" -LE slow
        ;;
    container)
        setup container
        build "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo
        WN_CONTAINER_REQUIRED=1 ctest --test-dir "$BUILD" --output-on-failure \
            -R '^container_sidecar$'
        ;;
    fuzz)
        setup fuzz
        CC=clang build "$BUILD-fuzz" -DCMAKE_BUILD_TYPE=Debug -DWN_SANITIZE=ON -DWN_FUZZ=ON
        secs=${WN_FUZZ_SECONDS:-20}
        work="$BUILD-fuzz/corpus"
        seeds() {
            case $1 in
                feed) echo tests/fixtures/feeds/*.xml tests/fuzz/corpus/feed/* ;;
                clean) echo tests/fixtures/demo/articles/* tests/fuzz/corpus/clean/* conf/sites.d/samples/* ;;
                conf) echo conf/*.conf conf/*.in ;;
                shingle) echo tests/fuzz/corpus/shingle/* tests/fixtures/demo/articles/* ;;
                *) echo tests/fuzz/corpus/"$1"/* ;;
            esac
        }
        for t in feed clean time url conf http shingle page; do
            mkdir -p "$work/$t"
            # shellcheck disable=SC2046
            cp $(seeds $t) "$work/$t/"
            # WN_FUZZ_SECONDS_<target> overrides the time for one target.
            tsecs=$(eval echo "\${WN_FUZZ_SECONDS_$t:-$secs}")
            echo "dev.sh: fuzzing $t for ${tsecs}s" >&2
            ASAN_OPTIONS=detect_leaks=1 "$BUILD-fuzz/tests/fuzz/fuzz_$t" \
                -max_total_time="$tsecs" -rss_limit_mb=2048 -max_len=65536 \
                -artifact_prefix="$work/$t-" "$work/$t" 2>"$work/$t.log" \
                || { tail -40 "$work/$t.log" >&2; exit 1; }
            grep -E "^#[0-9]+.*DONE" "$work/$t.log" >&2 || true
        done
        ;;
    *)
        sed -n '2,16p' "$0" >&2
        exit 2
        ;;
esac
