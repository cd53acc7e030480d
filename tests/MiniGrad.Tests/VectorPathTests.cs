using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.Intrinsics.Arm;

namespace MiniGrad.Tests;

/// <summary>
/// Proves that CI's runs with vector widths switched off really reach the narrower kernel paths. On .NET 10
/// the AVX-512 switch is DOTNET_EnableAVX512; the older spelling DOTNET_EnableAVX512F is no longer read,
/// so CI sets both.
/// </summary>
[Trait("Category", "Kernels")]
public class VectorPathTests
{
    private static bool SwitchedOff(string name) => Environment.GetEnvironmentVariable(name) == "0";

    [Fact]
    public void The_widest_vector_path_follows_the_runtime_switches()
    {
        bool scalarOnly = SwitchedOff("DOTNET_EnableHWIntrinsic");
        bool no256 = scalarOnly || SwitchedOff("DOTNET_EnableAVX2") || SwitchedOff("DOTNET_EnableAVX");
        bool no512 = no256 || SwitchedOff("DOTNET_EnableAVX512");

        Assert.Equal(!scalarOnly && (Sse2.IsSupported || AdvSimd.Arm64.IsSupported), Vector128.IsHardwareAccelerated);
        if (no256) Assert.False(Vector256.IsHardwareAccelerated);
        if (no512) Assert.False(Vector512.IsHardwareAccelerated);
        else Assert.Equal(Avx512F.IsSupported, Vector512.IsHardwareAccelerated);

        // The GEMM micro-tile is two of the widest accelerated vectors wide (two scalars on the scalar path).
        int expectedTile = Vector512.IsHardwareAccelerated ? 32 : Vector256.IsHardwareAccelerated ? 16 : Vector128.IsHardwareAccelerated ? 8 : 2;
        Assert.Equal(expectedTile, Gemm.TileCols<float>());
        Assert.Equal(expectedTile == 2 ? 2 : expectedTile / 2, Gemm.TileCols<double>());
    }
}
