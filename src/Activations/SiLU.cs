using System.Globalization;
using System.Numerics;
using MiniGrad.Kernels;
using MiniGrad.Layers;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>
/// SiLU, also called Swish (Elfwing et al., 2017; Ramachandran, Zoph and Le, 2017): f(x) = x·σ(βx), β = 1 by default.
/// Range [−0.2785, ∞) for β = 1 (minimum at x ≈ −1.2785), not zero-centred; not monotonic, smooth.
/// </summary>
/// <remarks>
/// <para>f'(x) = σ(βx) + βx·σ(βx)(1 − σ(βx)) = σ(βx)(1 + βx(1 − σ(βx))).</para>
/// <para>A self-gated ReLU: for large positive x it is x, for large negative x it tends to 0 from below, and around 0 it
/// is smooth. β = 0 gives x/2; β → ∞ gives ReLU. <see cref="Swish{T}"/> learns β.</para>
/// <para>Stability: σ(βx) = 1/(1 + e^(−βx)) saturates to exactly 0 or 1, so ±1000 give finite values and gradients.</para>
/// </remarks>
public sealed class SiLU<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T beta;

    /// <summary>Creates a SiLU (Swish with a fixed β).</summary>
    /// <param name="beta">β in x·σ(βx); 1 by default (PyTorch's SiLU).</param>
    /// <exception cref="ArgumentOutOfRangeException">β is not finite.</exception>
    public SiLU(double beta = 1.0)
    {
        this.beta = Finite(beta, nameof(beta));
        Beta = beta;
    }

    /// <summary>β, fixed.</summary>
    public double Beta { get; }

    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "silu", Title = "SiLU",
        Formula = "f(x) = x·σ(βx) (β = 1)",
        Derivative = "f'(x) = σ(βx)(1 + βx(1 − σ(βx)))",
        Lower = -0.2784645427610738, LowerIncluded = true, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = false, Smooth = true,
        Use = "hidden layers of deep networks (EfficientNet, many LLMs)",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => x / (T.One + T.Exp(-beta * x));

    /// <inheritdoc/>
    public override T Derivative(T x)
    {
        T s = T.One / (T.One + T.Exp(-beta * x));
        return s * (T.One + beta * x * (T.One - s));
    }

    /// <inheritdoc/>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map(input, output, new Function(beta));
    }

    /// <inheritdoc/>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(input, output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate) =>
        Elementwise.Gradient(input, output, outputGradient, inputGradient, accumulate, new Gradient(beta));

    internal override ModuleSpec? Spec() => ModuleSpec.Of("SiLU", ("beta", Beta));

    internal static SiLU<T> FromSpec(ModuleSpec spec) => new(spec.Double("beta"));

    /// <summary><c>SiLU</c>, or <c>SiLU(beta: β)</c> in the invariant culture.</summary>
    public override string ToString() => Beta == 1 ? "SiLU" : string.Create(CultureInfo.InvariantCulture, $"SiLU(beta: {Beta})");

    /// <summary>x·σ(βx). Swish uses it too.</summary>
    internal readonly struct Function(T beta) : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> => x * VectorMath<T>.Sigmoid(x * beta);
    }

    /// <summary>
    /// dy·σ(βx)(1 + βx(1 − σ(βx))), with σ(βx) = y/x read back from the saved output y = x·σ(βx) (½ at x = 0): one
    /// division instead of forward's exponential and division again. Swish uses it too.
    /// </summary>
    internal readonly struct Gradient(T beta) : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes>
        {
            var s = TLanes.ConditionalSelect(TLanes.Equal(x, TLanes.Zero), TLanes.Create(T.CreateTruncating(0.5)), y / x);
            return dy * s * (TLanes.One + x * beta * (TLanes.One - s));
        }
    }
}
