#!/usr/bin/env bash
# bench/peer/setup.sh: builds the libtorch peer into bench/peer/out. The first build restores about 600 MB of NuGet
# packages (TorchSharp and libtorch, CPU only) into the NuGet cache, outside the repository.
#
# On Debian 12 the TorchSharp native shim (libLibTorchSharp.so) needs one symbol of a newer libstdc++ than the system
# has (std::ios_base_library_init, GLIBCXX_3.4.32). Its copy in out/ is patched so that this need is weak, and
# glibcxx_shim.cpp provides the symbol; run.sh preloads it. Needs: the .NET SDK, g++, python3 and patchelf
# (installed with apt-get when missing and running as root).
set -euo pipefail
cd "$(dirname "$0")"
out=out
packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}

need() { command -v "$1" >/dev/null || { echo "setup.sh: $1 is missing; install the Debian package $2" >&2; exit 1; }; }
if ! command -v patchelf >/dev/null && [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq patchelf >/dev/null; fi
need patchelf patchelf
need g++ g++
need python3 python3

dotnet build -c Release -o "$out" -nologo -v quiet TorchPeer.csproj

# TorchSharp looks for its native libraries next to the program: put libtorch and the shim there.
torchsharp=$(ls -d "$packages"/torchsharp/*/ | sort -V | tail -1)
libtorch=$(ls -d "$packages"/libtorch-cpu-linux-x64/*/ | sort -V | tail -1)
cp "$libtorch"runtimes/linux-x64/native/*.so* "$out"/
install -m 644 "$torchsharp"runtimes/linux-x64/native/libLibTorchSharp.so "$out"/libLibTorchSharp.so
patchelf --clear-symbol-version _ZSt21ios_base_library_initv "$out"/libLibTorchSharp.so
python3 weaken_version.py "$out"/libLibTorchSharp.so GLIBCXX_3.4.32 >/dev/null
for dir in "$out"/runtimes/linux-x64/native "$out"/cpu; do
  if [ -d "$dir" ]; then cp "$out"/libLibTorchSharp.so "$dir"/; fi
done
g++ -O2 -shared -fPIC -o "$out"/libglibcxx_shim.so glibcxx_shim.cpp
echo "libtorch peer built in bench/peer/$out ($(basename "$torchsharp"), libtorch $(basename "$libtorch"))" >&2
