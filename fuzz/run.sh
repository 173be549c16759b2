#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in a build directory of their own, seeds their
# corpora from the oracle test vectors, runs every target for a bounded time and prints a table.
#
#   fuzz/run.sh [seconds-per-target]        default 60
#
# Environment:
#   FLOWLENS_FUZZ_BUILD  build directory (default: build-fuzz/ in the checkout); corpora and crash
#                        artifacts live in it too (corpus/<target>, artifacts/<target>)
#   FLOWLENS_VECTORS     oracle vectors (default: ../shared/oracle/vectors next to the checkout)
#   FUZZ_TARGETS         targets to run (default: all), e.g. "filter ipfix"
#   FUZZ_JOBS            targets run at once (default 1)
#   FUZZ_BUILD_JOBS      ninja -j (default 2)
#   FUZZ_KEEP_GOING=1    run each target in libFuzzer's fork mode and go on after a crash, hang or
#                        out-of-memory (long runs that collect every finding; the default stops at the first)
# Exit status: 0 no crash, 1 a target crashed, hung, leaked or ran out of memory (artifacts kept),
# 77 clang or its libFuzzer runtime is missing (ctest counts that as skipped).
set -euo pipefail

SECONDS_PER_TARGET=${1:-60}
SRC=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
BUILD=${FLOWLENS_FUZZ_BUILD:-$SRC/build-fuzz}
JOBS=${FUZZ_JOBS:-1}
ALL_TARGETS="decode_datagram decode_sequence netflow_v5 netflow_v9 ipfix sflow packet_header load_templates
filter pcap_frame pcap_file block_decoder decode_store"
TARGETS=${FUZZ_TARGETS:-$ALL_TARGETS}

if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -lt 1 ]; then
  echo "usage: fuzz/run.sh [seconds-per-target]" >&2
  exit 2
fi

CXX_BIN=$(command -v clang++ || command -v clang++-14 || true)
CC_BIN=$(command -v clang || command -v clang-14 || true)
if [ -z "$CXX_BIN" ] || [ -z "$CC_BIN" ]; then
  echo "fuzz/run.sh: clang is not installed (apt-get install clang libclang-rt-14-dev); skipping" >&2
  exit 77
fi
# libFuzzer's runtime ships separately (libclang-rt-*-dev): check that a fuzzer links at all.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' \
  > "$probe/p.cpp"
if ! "$CXX_BIN" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2> "$probe/err"; then
  echo "fuzz/run.sh: clang cannot link libFuzzer (apt-get install libclang-rt-14-dev); skipping" >&2
  sed 's/^/  /' "$probe/err" >&2
  exit 77
fi

# --- build
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER="$CC_BIN" -DCMAKE_CXX_COMPILER="$CXX_BIN" -DFLOWLENS_FUZZ=ON \
    -DFLOWLENS_BUILD_TESTS=OFF -DFLOWLENS_BUILD_BENCH=OFF -DFLOWLENS_BUILD_GUI=OFF > "$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log" >&2; exit 1; }
  mv "$BUILD.configure.log" "$BUILD/configure.log"
fi
build_targets=(fuzz_make_seeds)
for t in $TARGETS; do build_targets+=("fuzz_$t"); done
ninja -C "$BUILD" -j "${FUZZ_BUILD_JOBS:-2}" "${build_targets[@]}" > "$BUILD/build.log" 2>&1 ||
  { tail -50 "$BUILD/build.log" >&2; exit 1; }

# --- seeds (generated from the vectors every run; files are content-named, so nothing doubles)
VECTORS=${FLOWLENS_VECTORS:-}
if [ -z "$VECTORS" ]; then
  for candidate in "$SRC/../shared/oracle/vectors" "$SRC/../../shared/oracle/vectors"; do
    [ -d "$candidate" ] && { VECTORS=$(cd "$candidate" && pwd); break; }
  done
fi
[ -n "$VECTORS" ] && [ -d "$VECTORS" ] || echo "fuzz/run.sh: no oracle vectors found; seeding from built-in inputs only" >&2
mkdir -p "$BUILD/corpus" "$BUILD/artifacts" "$BUILD/logs"
"$BUILD/fuzz/fuzz_make_seeds" "${VECTORS:-/nonexistent}" "$BUILD/corpus" > "$BUILD/logs/seeds.log" 2>&1 ||
  { cat "$BUILD/logs/seeds.log" >&2; exit 1; }

# --- run
run_one() {
  local t=$1
  local corpus="$BUILD/corpus/$t" artifacts="$BUILD/artifacts/$t" log="$BUILD/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"
  local marker="$BUILD/logs/$t.started"
  touch "$marker"
  local rc=0 started
  started=$(date +%s)
  local mode=()
  [ "${FUZZ_KEEP_GOING:-0}" = 1 ] && mode=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
  # UBSan findings abort (the build sets -fno-sanitize-recover); leaks are findings too.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$BUILD/fuzz/fuzz_$t" "${mode[@]}" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -malloc_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" > "$log" 2>&1 || rc=$?
  local execs rate crashes size forked
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if [ -z "$execs" ]; then
    # Fork mode (or a crash before the final stats): the last status line "#N: ... exec/s R".
    execs=$(sed -n 's/^#\([0-9]*\):.*/\1/p' "$log" | tail -1)
    rate=$(( ${execs:-0} / ( $(date +%s) - started + 1 ) ))
  fi
  crashes=$(find "$artifacts" -newer "$marker" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) | wc -l)
  forked=$(sed -n 's|.*oom/timeout/crash: *\([0-9]*\)/\([0-9]*\)/\([0-9]*\).*|\1 \2 \3|p' "$log" | tail -1)
  if [ -n "$forked" ]; then
    read -r o tmo c <<< "$forked"
    [ $((o + tmo + c)) -gt "$crashes" ] && crashes=$((o + tmo + c))
  fi
  [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1 # died without an artifact: still a finding
  size=$(find "$corpus" -type f | wc -l)
  printf '%s %s %s %s %s %s\n' "$t" "${execs:-0}" "${rate:-0}" "$crashes" "$size" "$rc" > "$BUILD/logs/$t.result"
}
export -f run_one
export BUILD SECONDS_PER_TARGET

start=$(date +%s)
printf '%s\n' $TARGETS | xargs -P "$JOBS" -I{} bash -c 'run_one "$@"' _ {}

printf '\n%-18s %14s %10s %8s %8s\n' target executions exec/s crashes corpus
status=0
total=0
for t in $TARGETS; do
  read -r name execs rate crashes size rc < "$BUILD/logs/$t.result"
  printf '%-18s %14s %10s %8s %8s\n' "$name" "$execs" "$rate" "$crashes" "$size"
  total=$((total + execs))
  if [ "$crashes" -ne 0 ]; then
    status=1
    echo "  -> $t: see $BUILD/logs/$t.log and $BUILD/artifacts/$t/" >&2
  fi
done
printf '%-18s %14s   (%s s per target, %s s wall)\n' total "$total" "$SECONDS_PER_TARGET" $(( $(date +%s) - start ))
exit $status
