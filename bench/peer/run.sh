#!/usr/bin/env bash
# bench/peer/run.sh [threads=2] [workload-prefix]: the step benchmark's workloads in libtorch, one JSON line each on
# standard output. Builds the peer first (setup.sh) when it is missing or its sources changed.
#
# Held to a vector width as MiniGrad is (see docs/BENCHMARKS.md):
#   256-bit: ATEN_CPU_CAPABILITY=avx2 MKL_ENABLE_INSTRUCTIONS=AVX2 ONEDNN_MAX_CPU_ISA=AVX2 bench/peer/run.sh
#   128-bit: ATEN_CPU_CAPABILITY=default MKL_ENABLE_INSTRUCTIONS=SSE4_2 MKL_CBWR=COMPATIBLE ONEDNN_MAX_CPU_ISA=SSE41 bench/peer/run.sh
#   (MKL_CBWR=COMPATIBLE, MKL's SSE2 branch, because on AMD processors MKL ignores MKL_ENABLE_INSTRUCTIONS=SSE4_2)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/out"
if [ ! -f "$out/libglibcxx_shim.so" ] || [ "$here/Program.cs" -nt "$out/TorchPeer.dll" ] || [ "$here/TorchPeer.csproj" -nt "$out/TorchPeer.dll" ]; then
  "$here/setup.sh" >&2
fi
LD_PRELOAD="$out/libglibcxx_shim.so" exec dotnet "$out/TorchPeer.dll" "$@" 2>/dev/null
