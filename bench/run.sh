#!/usr/bin/env bash
# bench/run.sh [repeats=3] [workload-prefix]
# Runs MiniGrad's step benchmark and the libtorch peer (../shared/peers/libtorch/run.sh) alternately, workload
# by workload, each in a fresh process, `repeats` times, so drift on the shared machine hits both peers alike;
# then writes docs/BENCHMARKS.md from all the JSON lines (the median of each peer's repeats, and the ratios).
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-3}
prefix=${2:-}
peer=${MINIGRAD_PEER:-../shared/peers/libtorch/run.sh}
results=${MINIGRAD_RESULTS:-bench/results.jsonl}
project=bench/MiniGrad.Benchmarks

dotnet build -c Release "$project" >/dev/null
workloads=$(dotnet run -c Release --no-build --project "$project" -- list "$prefix")
: > "$results"
for round in $(seq "$repeats"); do
  for workload in $workloads; do
    dotnet run -c Release --no-build --project "$project" -- steps "$workload" | tee -a "$results"
    "$peer" 2 "$workload" | grep "\"workload\":\"$workload\"" | tee -a "$results"
  done
done
dotnet run -c Release --no-build --project "$project" -- report "$results" > docs/BENCHMARKS.md
echo "wrote docs/BENCHMARKS.md from $results"
