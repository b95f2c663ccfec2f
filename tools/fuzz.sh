#!/usr/bin/env bash
# Fuzzes the ingest decoder and the analysis with libFuzzer.
#
#   tools/fuzz.sh [SECONDS] [extra libFuzzer flags…]     default 600 s (the release gate); CI runs 60
#
# Builds the wirewatch-fuzz product with -sanitize=fuzzer (coverage-guided; add -sanitize=address with
# FUZZ_ASAN=1) in its own scratch folder, starts from the committed hostile corpus (Tests/Fixtures/hostile,
# regenerate with tools/make-hostile-corpus.py), keeps what it learns in .build-fuzz/corpus, and stops at the
# first crash, writing the input to .build-fuzz/crash-*. Reproduce one with
#   .build-fuzz/release/wirewatch-fuzz .build-fuzz/crash-…
# and, once fixed, copy it into Tests/Fixtures/hostile so the test suite replays it for ever.
set -euo pipefail
seconds="${1:-600}"
shift || true
repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
sanitizers="fuzzer"
[ "${FUZZ_ASAN:-0}" = 1 ] && sanitizers="fuzzer,address"
echo "== building wirewatch-fuzz with -sanitize=$sanitizers (first build takes minutes)"
swift build -c release --product wirewatch-fuzz --scratch-path .build-fuzz \
    -Xswiftc "-sanitize=$sanitizers" -Xswiftc -DFUZZING >/dev/null
mkdir -p .build-fuzz/corpus
echo "== fuzzing for $seconds s"
set +e
.build-fuzz/release/wirewatch-fuzz .build-fuzz/corpus Tests/Fixtures/hostile \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -timeout=30 \
    -artifact_prefix=.build-fuzz/ -print_final_stats=1 "$@" 2>&1 | tee .build-fuzz/last-run.log | grep -E "^#[0-9]+.*(pulse|DONE|NEW)|stat::|ERROR|SUMMARY|Done" | tail -25
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
    echo "fuzz: libFuzzer stopped with status $status; see .build-fuzz/last-run.log and .build-fuzz/crash-*" >&2
    exit "$status"
fi
echo "fuzz: no crash in $seconds s ($(grep -o 'stat::number_of_executed_units: [0-9]*' .build-fuzz/last-run.log | awk '{print $2}') executions)"
