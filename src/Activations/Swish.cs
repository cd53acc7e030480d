using System.Globalization;
using System.Numerics;
using MiniGrad.Kernels;
using MiniGrad.Layers;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>
/// Swish with a learned β (Ramachandran, Zoph and Le, 2017): f(x) = x·σ(βx), the <see cref="SiLU{T}"/> whose β is a
/// parameter the optimizer updates. Range, shape and stability as SiLU's at the current β.
/// </summary>
/// <remarks>
/// <para>∂f/∂x = σ(βx)(1 + βx(1 − σ(βx))), as SiLU's; ∂f/∂β = x²·σ(βx)(1 − σ(βx)), and β gathers dβ += Σ dy·∂f/∂β over
/// every element.</para>
/// <para>β = 1 starts as SiLU; as β grows the function approaches ReLU, and at β = 0 it is the line x/2. The parameter is
/// registered as <c>beta</c>.</para>
/// </remarks>
public sealed class Swish<T> : Module<T>, IElementwise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a Swish whose β starts at <paramref name="beta"/>.</summary>
    /// <param name="beta">The starting β; 1 by default (SiLU).</param>
    /// <exception cref="ArgumentOutOfRangeException">β is not finite.</exception>
    public Swish(double beta = 1.0)
    {
        Require.Finite(beta, nameof(beta));
        Beta = RegisterParameter("beta", Tensor<T>.Full(1, 1, T.CreateTruncating(beta), requiresGrad: true));
    }

    internal override int? OutputFeatures(int? input) => input;

    /// <summary>β, 1 × 1; requires grad.</summary>
    public Tensor<T> Beta { get; }

    /// <summary>y = x·σ(βx), recorded with both inputs, x and β.</summary>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();
        ReadOnlySpan<Tensor<T>> inputs = [x, Beta];
        var y = Tensor<T>.Result(x.Rows, x.Cols, inputs);
        Elementwise.Map(x.Span, y.Span, new SiLU<T>.Function(Beta.Span[0]));
        return Tensor<T>.Record(Name, y, inputs, static (y, inputs) =>
        {
            var (x, beta) = (inputs[0], inputs[1]);
            if (x.RequiresGrad) Elementwise.AccumulateGradient(x.Span, y.Span, y.GradSpan, x.GradAccumulator(), new SiLU<T>.Gradient(beta.Span[0]));
            if (beta.RequiresGrad) beta.GradAccumulator()[0] += Elementwise.Sum(x.Span, y.Span, y.GradSpan, new BetaGradient(beta.Span[0]));
        });
    }

    /// <summary>∂f/∂x per element at the current β.</summary>
    void IElementwise<T>.Derivatives(Tensor<T> input, Tensor<T> output, Span<T> derivative)
    {
        var ones = Tensor<T>.Rent(input.Rows, input.Cols);
        ones.Span.Fill(T.One);
        derivative.Clear();
        Elementwise.AccumulateGradient(input.Span, output.Span, ones.Span, derivative, new SiLU<T>.Gradient(Beta.Span[0]));
        ones.Return();
    }

    internal override ModuleSpec? Spec() => ModuleSpec.Of("Swish");

    internal static Swish<T> FromSpec(ModuleSpec spec) => new();

    /// <summary><c>Swish(beta: β)</c>, at β's current value, in the invariant culture.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Swish(beta: {Beta.Span[0]})");

    /// <summary>dy·x²·σ(βx)(1 − σ(βx)): one element's share of dL/dβ.</summary>
    private readonly struct BetaGradient(T beta) : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes>
        {
            var s = VectorMath<T>.Sigmoid(x * beta);
            return dy * x * x * s * (TLanes.One - s);
        }
    }
}
