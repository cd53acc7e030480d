using System.Numerics;
using MathNet.Numerics;
using MiniGrad.Kernels;
using MiniGrad.Layers;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>
/// Gaussian error linear unit (Hendrycks and Gimpel, 2016): GELU(x) = x·Φ(x), where Φ(x) = ½(1 + erf(x/√2)) is the
/// standard normal CDF; with <c>approximate: true</c>, PyTorch's tanh form ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
/// Range [−0.17, ∞) (minimum −0.16997 at x ≈ −0.7518), not zero-centred; not monotonic, smooth.
/// </summary>
/// <remarks>
/// <para>GELU'(x) = Φ(x) + x·φ(x), with φ(x) = e^(−x²/2)/√(2π) the normal density. The tanh form's derivative is
/// ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²) with t = tanh(√(2/π)(x + 0.044715x³)). No kinks.</para>
/// <para>A smooth ReLU that weights x by how likely a standard-normal value is below it; it dips slightly below
/// zero for negative x and is the default in transformers (BERT, GPT).</para>
/// <para>Stability: Φ(x) is computed as ½·erfc(−x/√2), never as ½(1 + erf(x/√2)), so it keeps its relative precision
/// deep into the negative tail instead of cancelling to 0; the vector kernel evaluates erfc by a Chebyshev series
/// accurate to about 5e−15. The tanh form's kernel uses the identity ½(1 + tanh u) = σ(2u), which saturates to
/// exactly 0 or 1 for ±1000 without NaN.</para>
/// </remarks>
public sealed class GELU<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Literals converted where they are read: constants in any compiled loop (see VectorMath's coefficients).
    private static T Half { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.5); }
    private static T InverseSqrt2 { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.7071067811865475); } // 1/√2 in double
    private static T InverseSqrt2Pi { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.3989422804014327); } // 1/√(2π) in double
    private static T SqrtTwoOverPi { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.7978845608028654); } // √(2/π) in double
    private static T Kappa { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(0.044715); }

    /// <summary>Creates a GELU, exact or with the tanh approximation.</summary>
    /// <param name="approximate">false (the default) for x·Φ(x) through erf; true for the tanh approximation.</param>
    public GELU(bool approximate = false) => Approximate = approximate;

    /// <summary>Whether this GELU uses the tanh approximation (PyTorch's <c>approximate='tanh'</c>).</summary>
    public bool Approximate { get; }

    /// <summary>The exact GELU's name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "gelu", Title = "GELU",
        Formula = "f(x) = x·Φ(x) = ½x(1 + erf(x/√2))",
        Derivative = "f'(x) = Φ(x) + x·φ(x)",
        Lower = -0.16997120747990366, LowerIncluded = true, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = false, Smooth = true,
        Use = "hidden layers, the default in transformers",
    };

    /// <summary>The tanh approximation's name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo TanhInfo { get; } = new()
    {
        Name = "gelu_tanh", Title = "GELU (tanh)",
        Formula = "f(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))",
        Derivative = "f'(x) = ½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 0.134145x²)",
        Lower = -0.17004075057125398, LowerIncluded = true, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = false, Smooth = true,
        Use = "hidden layers, where the exact GELU's erf is too slow",
    };

    /// <inheritdoc/>
    /// <remarks>Computed in double whatever T is: this is the reference the kernels are tested against.</remarks>
    public override T Apply(T x)
    {
        double v = double.CreateTruncating(x);
        if (!Approximate) return T.CreateTruncating(v * NormalCdf(v));
        double inner = Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v);
        return T.CreateTruncating(0.5 * v * (1 + Math.Tanh(inner)));
    }

    /// <inheritdoc/>
    /// <remarks>Computed in double whatever T is, as PyTorch writes it.</remarks>
    public override T Derivative(T x)
    {
        double v = double.CreateTruncating(x);
        if (!Approximate) return T.CreateTruncating(NormalCdf(v) + v * Math.Exp(-0.5 * v * v) / Math.Sqrt(2 * Math.PI));
        double tanh = Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v));
        double innerDerivative = Math.Sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * v * v);
        return T.CreateTruncating(0.5 * (1 + tanh) + 0.5 * v * (1 - tanh * tanh) * innerDerivative);
    }

    /// <summary>Φ(x) = ½·erfc(−x/√2), by MathNet.Numerics' erfc: the reference the kernels are tested against.</summary>
    private static double NormalCdf(double x) => 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2));

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        if (Approximate) Elementwise.Map(input, output, new TanhFunction());
        else Elementwise.Map(input, output, new ErfFunction());
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate)
    {
        if (Approximate) Elementwise.Gradient(input, output, outputGradient, inputGradient, accumulate, new TanhGradient());
        else Elementwise.Gradient(input, output, outputGradient, inputGradient, accumulate, new ErfGradient());
    }

    internal override ModuleSpec? Spec() => ModuleSpec.Of("GELU", ("approximate", Approximate));

    internal static GELU<T> FromSpec(ModuleSpec spec) => new(spec.Bool("approximate"));

    /// <summary><c>GELU</c>, or <c>GELU(approximate: tanh)</c>.</summary>
    public override string ToString() => Approximate ? "GELU(approximate: tanh)" : "GELU";

    // Φ(x) = ½·erfc(|x|/√2) for x < 0 and 1 − ½·erfc(|x|/√2) otherwise.

    /// <summary>x·Φ(x).</summary>
    private readonly struct ErfFunction : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes>
        {
            var tail = VectorMath<T>.Erfc(TLanes.Abs(x) * InverseSqrt2) * Half;
            return x * TLanes.ConditionalSelect(TLanes.LessThan(x, TLanes.Zero), tail, TLanes.One - tail);
        }
    }

    /// <summary>
    /// dy·(Φ(x) + x·φ(x)), with Φ(x) = y/x taken from the forward pass's output y = x·Φ(x) (½ at x = 0), so backward needs
    /// one exp and no erfc series.
    /// </summary>
    private readonly struct ErfGradient : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes>
        {
            var cdf = TLanes.ConditionalSelect(TLanes.Equal(x, TLanes.Zero), TLanes.Create(Half), y / x);
            return dy * (cdf + x * TLanes.Exp(-(x * x) * Half) * InverseSqrt2Pi);
        }
    }

    // The tanh form as x·σ(2u), u = √(2/π)(x + 0.044715x³), since ½(1 + tanh u) = σ(2u).

    /// <summary>x·σ(2u).</summary>
    private readonly struct TanhFunction : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> =>
            x * VectorMath<T>.Sigmoid((x + x * x * x * Kappa) * (SqrtTwoOverPi + SqrtTwoOverPi));
    }

    /// <summary>
    /// dy·(s + 2x·s(1 − s)·u'), s = σ(2u), u' = √(2/π)(1 + 3·0.044715x²). With e = e^(−|2u|) ≤ 1, s(1 − s) = e/(1 + e)²
    /// whatever the sign of u: no overflow, and none of the digits that 1 − s would lose once s rounds to 1.
    /// </summary>
    private readonly struct TanhGradient : IGradientOperator<T>
    {
        private static T ThreeKappa { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(3 * 0.044715); }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]

        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes>
        {
            var twoU = (x + x * x * x * Kappa) * (SqrtTwoOverPi + SqrtTwoOverPi);
            var e = TLanes.Exp(-TLanes.Abs(twoU));
            var inverse = TLanes.One / (TLanes.One + e);
            var s = TLanes.ConditionalSelect(TLanes.GreaterThanOrEqual(twoU, TLanes.Zero), inverse, e * inverse);
            return dy * (s + (x + x) * e * inverse * inverse * (TLanes.One + x * x * ThreeKappa) * SqrtTwoOverPi);
        }
    }
}
