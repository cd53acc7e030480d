#!/usr/bin/env bash
# bench/run.sh [--before REV] [repeats=3] [workload-prefix]
#
# Runs MiniGrad's step benchmark and the libtorch peer (bench/peer) alternately, workload by workload, each in a fresh
# process, `repeats` times, so that drift on a shared machine hits both alike; then writes docs/BENCHMARKS.md from all
# the JSON lines (the median of each peer's repeats, their spread, and the ratios).
#
# It does so on every vector path the machine has (avx512, avx2, 128) and at 1 and 2 threads, holding both sides to the
# same width and thread count: MiniGrad through DOTNET_EnableAVX512 / DOTNET_EnableAVX2 and MINIGRAD_NUM_THREADS (its
# JSON lines name the path it really ran), libtorch through ATEN_CPU_CAPABILITY, MKL_ENABLE_INSTRUCTIONS and
# ONEDNN_MAX_CPU_ISA and its thread argument. At 128 bits MKL_CBWR=COMPATIBLE too: on AMD processors the MKL inside
# libtorch ignores MKL_ENABLE_INSTRUCTIONS=SSE4_2 (and MKL_CBWR=SSE4_2) and multiplies with 256-bit FMA code; its
# COMPATIBLE branch is SSE2, 128 bits without FMA like .NET's 128-bit path. The report checks that the peer's 1024³
# product stays below the path's measured peak. MINIGRAD_PATHS and MINIGRAD_THREAD_COUNTS (space-separated) narrow it.
#
# MINIGRAD_RESULTS (default bench/results.jsonl) and MINIGRAD_REPORT (default docs/BENCHMARKS.md) move the JSON lines
# and the report elsewhere, for a sitting that should not replace the published tables.
#
# With --before REV, MiniGrad as it was at the git revision REV runs too, in the same rotation (built from a scratch
# worktree), and the report adds a before/after column: how a change moved each workload, measured in one sitting.
set -euo pipefail
cd "$(dirname "$0")/.."
before=""
if [ "${1:-}" = "--before" ]; then before=$2; shift 2; fi
repeats=${1:-3}
prefix=${2:-}
results=${MINIGRAD_RESULTS:-bench/results.jsonl}
report=${MINIGRAD_REPORT:-docs/BENCHMARKS.md}
project=bench/MiniGrad.Benchmarks
scratch=$(mktemp -d)
trap 'if [ -n "$before" ]; then git worktree remove --force "$scratch/before-src" 2>/dev/null || true; fi; rm -rf "$scratch"; git worktree prune' EXIT

if [ -z "${MINIGRAD_PATHS:-}" ]; then
  flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
  MINIGRAD_PATHS="128"
  case " $flags " in *" avx2 "*) MINIGRAD_PATHS="avx2 $MINIGRAD_PATHS" ;; esac
  case " $flags " in *" avx512f "*) MINIGRAD_PATHS="avx512 $MINIGRAD_PATHS" ;; esac
fi
thread_counts=${MINIGRAD_THREAD_COUNTS:-"1 2"}

# The environment that holds each side to a path.
path_env() {
  case "$1" in
    avx512) echo "ATEN_CPU_CAPABILITY=avx512 MKL_ENABLE_INSTRUCTIONS=AVX512 ONEDNN_MAX_CPU_ISA=AVX512_CORE" ;;
    avx2) echo "DOTNET_EnableAVX512=0 ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2" ;;
    128) echo "DOTNET_EnableAVX512=0 DOTNET_EnableAVX2=0 ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 MKL_CBWR=COMPATIBLE ONEDNN_MAX_CPU_ISA=SSE41" ;;
    *) echo "unknown path $1" >&2; exit 2 ;;
  esac
}

dotnet build -c Release -nologo -v quiet "$project" -o "$scratch/after" >/dev/null
if [ -n "$before" ]; then
  git worktree add --detach "$scratch/before-src" "$before" >/dev/null 2>&1
  dotnet build -c Release -nologo -v quiet "$scratch/before-src/$project" -o "$scratch/before" >/dev/null
fi
bench/peer/run.sh 1 none >/dev/null # builds the peer now, outside the timed rotation
workloads=$(dotnet "$scratch/after/MiniGrad.Benchmarks.dll" list "$prefix")
# A narrowed run still measures the limit its workloads are judged against: the FMA peak for products (and whether
# libtorch was held to the path), the 4 MiB copy for element-wise passes.
lacks() { grep -q "^$1" <<<"$workloads" && ! grep -qx "$2" <<<"$workloads"; }
if lacks gemm- peak-fma; then workloads="peak-fma"$'\n'"$workloads"; fi
if lacks act- copy-4mib; then workloads="copy-4mib"$'\n'"$workloads"; fi
# The scaling workloads (how cost grows with batch and width) run in one setting only: the widest path, the most threads.
scale_path=${MINIGRAD_PATHS%% *}
scale_threads=$(echo "$thread_counts" | tr ' ' '\n' | sort -n | tail -1)

: > "$results"
for path in $MINIGRAD_PATHS; do
  for threads in $thread_counts; do
    # shellcheck disable=SC2046
    export $(path_env "$path") MINIGRAD_NUM_THREADS="$threads"
    ran=$(dotnet "$scratch/after/MiniGrad.Benchmarks.dll" steps copy | sed 's/.*"path":"\([a-z0-9]*\)".*/\1/')
    if [ "$ran" != "$path" ]; then echo "asked for the $path path, MiniGrad ran $ran: skipping it" >&2; continue; fi
    for round in $(seq "$repeats"); do
      for workload in $workloads; do
        case "$workload" in scale-*) if [ "$path" != "$scale_path" ] || [ "$threads" != "$scale_threads" ]; then continue; fi ;; esac
        dotnet "$scratch/after/MiniGrad.Benchmarks.dll" steps "$workload" | tee -a "$results"
        if [ -n "$before" ] && dotnet "$scratch/before/MiniGrad.Benchmarks.dll" list "$workload" | grep -qx "$workload"; then
          dotnet "$scratch/before/MiniGrad.Benchmarks.dll" steps "$workload" | grep '"peer":"minigrad"' \
            | sed "s/\"peer\":\"minigrad\"/\"peer\":\"minigrad-before\"/; s/\"peer\":\"minigrad-before\",\"threads\"/\"peer\":\"minigrad-before\",\"path\":\"$path\",\"threads\"/" | tee -a "$results"
        fi
        case "$workload" in
          infer-*|peak-*|copy-*) ;; # ONNX Runtime runs in MiniGrad's process; the machine's limits have no peer
          *) bench/peer/run.sh "$threads" "$workload" | grep "\"workload\":\"$workload\"" | sed "s/\"peer\":\"libtorch\",/\"peer\":\"libtorch\",\"path\":\"$path\",/" | tee -a "$results" ;;
        esac
      done
    done
    unset DOTNET_EnableAVX512 DOTNET_EnableAVX2 ATEN_CPU_CAPABILITY MKL_ENABLE_INSTRUCTIONS MKL_CBWR ONEDNN_MAX_CPU_ISA MINIGRAD_NUM_THREADS
  done
done
dotnet "$scratch/after/MiniGrad.Benchmarks.dll" report "$results" ${before:+--before "$before"} > "$report"
echo "wrote $report from $results" >&2
