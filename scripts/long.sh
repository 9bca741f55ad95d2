#!/usr/bin/env bash
# Long mode of the reliability harnesses (hours): 200 crash trials, 20 fault
# schedules, 1 000 000 fuzz inputs per target. Prints one summary at the end.
# Smaller: OGI_FUZZ_CASES=N, OGI_CRASH_TRIALS=N. See docs/operations.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export OGI_LONG=1
log="$(mktemp)"
run() { cargo test -q --release "$@" -- --nocapture --test-threads 2 2>&1 | tee -a "$log" | grep '^LONG' || true; }
run -p ogi --test crash
run -p ogi-crawler --test crawl fault_matrix
run -p ogi-crawler --test crawl fuzz
run -p ogi-extract --test formats fuzz
if grep -q 'test result: FAILED\|panicked' "$log"; then
    echo "== long mode FAILED (log: $log)"; exit 1
fi
sum() { grep -o "\b$1=[0-9]*" "$log" | cut -d= -f2 | awk '{s+=$1} END {print s+0}'; }
echo "== long mode summary"
echo "trials run:        $(sum trials)"
echo "kills delivered:   $(sum kills)"
echo "faults injected:   $(sum faults_injected)"
echo "inputs fuzzed:     $(sum inputs)"
echo "documents lost:    $(( $(sum documents_lost) + $(sum lost) ))"
echo "duplicates:        $(sum duplicates)"
echo "panics:            $(sum panics)"
echo "peak memory, hostile corpus: $(grep -o 'hostile_corpus_peak_mib=[0-9]*' "$log" | tail -1 | cut -d= -f2) MiB"
