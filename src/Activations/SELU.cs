using System.Runtime.CompilerServices;
using System.Numerics;
using MiniGrad.Kernels;

namespace MiniGrad.Activations;

/// <summary>
/// Scaled exponential linear unit (Klambauer et al., 2017): f(x) = λx for x &gt; 0, λα(eˣ − 1) otherwise, with
/// λ = 1.0507009873554804934193349852946 and α = 1.6732632423543772848170429916717. Range (−λα, ∞) ≈ (−1.7581, ∞),
/// zero-centred for standard-normal inputs; monotonic, not smooth at 0.
/// </summary>
/// <remarks>
/// <para>f'(x) = λ for x &gt; 0 and λα·eˣ for x ≤ 0; at the kink MiniGrad follows PyTorch: f'(0) = λα ≈ 1.7581.</para>
/// <para>λ and α are the fixed point that makes the map self-normalising: inputs with mean 0 and variance 1 give
/// outputs with mean 0 and variance 1, so activations stay normalised through depth without batch norm. That
/// holds with LeCun-normal weights (<see cref="Layers.WeightInit.LeCunNormal"/>); with other initialisations SELU is
/// just a scaled ELU.</para>
/// <para>eˣ − 1 is an accurate expm1, as in <see cref="ELU{T}"/>, whose kernels SELU shares with scale λ.</para>
/// </remarks>
public sealed class SELU<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>λ = 1.0507009873554804934193349852946 (to double precision).</summary>
    public const double Scale = 1.0507009873554804934193349852946;

    /// <summary>α = 1.6732632423543772848170429916717 (to double precision).</summary>
    public const double Alpha = 1.6732632423543772848170429916717;

    // Converted where they are read: constants in any compiled loop (see VectorMath's coefficients).
    private static T ScaleT { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(Scale); }
    private static T AlphaT { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => T.CreateTruncating(Alpha); }
    private static T ScaledAlpha { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => ScaleT * AlphaT; } // rounded in T, as λ and α are

    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "selu", Title = "SELU",
        Formula = "f(x) = λx for x > 0, λα(eˣ − 1) otherwise (λ ≈ 1.0507, α ≈ 1.6733)",
        Derivative = "f'(x) = λ for x > 0, λα·eˣ for x ≤ 0",
        Lower = -1.0507009873554805 * 1.6732632423543772, Upper = double.PositiveInfinity,
        ZeroCentred = true, Monotonic = true, Smooth = false,
        Use = "hidden layers of deep plain MLPs with LeCun-normal weights (self-normalising)",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => x > T.Zero ? ScaleT * x : ScaledAlpha * ScalarMath.ExpM1(x);

    /// <inheritdoc/>
    public override T Derivative(T x) => x > T.Zero ? ScaleT : ScaledAlpha * T.Exp(x);

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map(input, output, new ELU<T>.Function(ScaleT, AlphaT));
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate) =>
        Elementwise.Gradient(input, output, outputGradient, inputGradient, accumulate, new ELU<T>.Gradient(ScaleT, AlphaT));
}
