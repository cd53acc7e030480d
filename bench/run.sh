#!/usr/bin/env bash
# bench/run.sh [--before REV] [repeats=3] [workload-prefix]
#
# Runs MiniGrad's step benchmark and the libtorch peer (bench/peer) alternately, workload by workload, each in a fresh
# process, `repeats` times, so that drift on a shared machine hits both alike; then writes docs/BENCHMARKS.md from all
# the JSON lines (the median of each peer's repeats, their spread, and the ratios).
#
# With --before REV, MiniGrad as it was at the git revision REV runs too, in the same rotation (built from a scratch
# worktree), and the report adds a before/after column: how a change moved each workload, measured in one sitting.
#
# The vector width is the machine's unless the environment holds both sides to one (docs/BENCHMARKS.md says how).
set -euo pipefail
cd "$(dirname "$0")/.."
before=""
if [ "${1:-}" = "--before" ]; then before=$2; shift 2; fi
repeats=${1:-3}
prefix=${2:-}
results=${MINIGRAD_RESULTS:-bench/results.jsonl}
project=bench/MiniGrad.Benchmarks
scratch=$(mktemp -d)
trap 'if [ -n "$before" ]; then git worktree remove --force "$scratch/before-src" 2>/dev/null || true; fi; rm -rf "$scratch"; git worktree prune' EXIT

dotnet build -c Release -nologo -v quiet "$project" -o "$scratch/after" >/dev/null
if [ -n "$before" ]; then
  git worktree add --detach "$scratch/before-src" "$before" >/dev/null 2>&1
  dotnet build -c Release -nologo -v quiet "$scratch/before-src/$project" -o "$scratch/before" >/dev/null
fi
bench/peer/run.sh 1 none >/dev/null # builds the peer now, outside the timed rotation
workloads=$(dotnet "$scratch/after/MiniGrad.Benchmarks.dll" list "$prefix")

: > "$results"
for round in $(seq "$repeats"); do
  for workload in $workloads; do
    # infer-* workloads carry their own peer, ONNX Runtime, in the same process; the rest have libtorch.
    dotnet "$scratch/after/MiniGrad.Benchmarks.dll" steps "$workload" | tee -a "$results"
    if [ -n "$before" ] && dotnet "$scratch/before/MiniGrad.Benchmarks.dll" list "$workload" | grep -qx "$workload"; then
      dotnet "$scratch/before/MiniGrad.Benchmarks.dll" steps "$workload" | grep '"peer":"minigrad"' | sed 's/"peer":"minigrad"/"peer":"minigrad-before"/' | tee -a "$results"
    fi
    case "$workload" in
      infer-*) ;;
      *) bench/peer/run.sh 2 "$workload" | grep "\"workload\":\"$workload\"" | tee -a "$results" ;;
    esac
  done
done
dotnet "$scratch/after/MiniGrad.Benchmarks.dll" report "$results" ${before:+--before "$before"} > docs/BENCHMARKS.md
echo "wrote docs/BENCHMARKS.md from $results" >&2
