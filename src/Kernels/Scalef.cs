using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MiniGrad.Kernels;

/// <summary>
/// p·2ⁿ per lane for whole-valued n, in one instruction where the hardware has one: AVX-512's VSCALEFPS, which rounds
/// once, so a result down in the subnormals comes out as the exp's two exact factors give it, and which overflows to ∞
/// and underflows to 0 by itself. One overload per vector width, so that the lane template (Lanes512.cs) can ask with
/// the vector it holds; where <see cref="IsSupported(Vector512{float})"/> is false, <c>Scale</c> is never called.
/// </summary>
internal static class Scalef
{
    /// <summary>Whether <see cref="Scale(Vector512{float}, Vector512{float})"/> runs in hardware (AVX-512F).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] internal static bool IsSupported(Vector512<float> _) => Avx512F.IsSupported;

    /// <summary>Whether <see cref="Scale(Vector256{float}, Vector256{float})"/> runs in hardware (AVX-512VL).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] internal static bool IsSupported(Vector256<float> _) => Avx512F.VL.IsSupported;

    /// <summary>Whether <see cref="Scale(Vector128{float}, Vector128{float})"/> runs in hardware (AVX-512VL).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] internal static bool IsSupported(Vector128<float> _) => Avx512F.VL.IsSupported;

    /// <summary>p·2ⁿ, rounded once (VSCALEFPS on 512 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] internal static Vector512<float> Scale(Vector512<float> p, Vector512<float> n) => Avx512F.Scale(p, n);

    /// <summary>p·2ⁿ, rounded once (VSCALEFPS on 256 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] internal static Vector256<float> Scale(Vector256<float> p, Vector256<float> n) => Avx512F.VL.Scale(p, n);

    /// <summary>p·2ⁿ, rounded once (VSCALEFPS on 128 bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] internal static Vector128<float> Scale(Vector128<float> p, Vector128<float> n) => Avx512F.VL.Scale(p, n);
}
