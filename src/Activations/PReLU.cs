using System.Numerics;
using System.Runtime.Intrinsics;

namespace MiniGrad.Activations;

/// <summary>
/// Parametric ReLU: f(x) = x for x &gt; 0, a·x otherwise, where the slope a is learned (He et al., 2015). Range
/// (−∞, ∞), not zero-centred; monotonic while a ≥ 0, not smooth at 0.
/// </summary>
/// <remarks>
/// <para>∂f/∂x = 1 for x &gt; 0 and a for x ≤ 0 (at the kink, as PyTorch: a); ∂f/∂a = 0 for x &gt; 0 and x for x ≤ 0.
/// Backward: dx += dy·∂f/∂x, and the slope gathers da += Σ dy·x over the elements with x ≤ 0 (of its feature,
/// when there is one slope per feature).</para>
/// <para>One slope shared by every feature by default (<see cref="Slope"/> is 1 × 1), or one per feature
/// (1 × features), like PyTorch's <c>num_parameters</c>. The same instance used at two places of a network
/// shares its slope, and the slope's gradient gathers both contributions. Do not use weight decay on the slope:
/// it pulls a towards 0, that is towards ReLU.</para>
/// <para><see cref="Apply"/> and <see cref="Derivative"/> use the first feature's slope (the only one when shared).</para>
/// </remarks>
public sealed class PReLU<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a PReLU whose slopes all start at <paramref name="init"/>.</summary>
    /// <param name="init">The starting slope for x ≤ 0; 0.25 by default, as in PyTorch.</param>
    /// <param name="features">1 for one shared slope (the default), or the input width for one slope per feature.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="init"/> is not finite or <paramref name="features"/> is below 1.</exception>
    public PReLU(double init = 0.25, int features = 1)
    {
        T start = Finite(init, nameof(init));
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        Slope = Tensor<T>.Full(1, features, start, requiresGrad: true);
    }

    /// <summary>The learned slopes a, 1 × 1 or 1 × features; requires grad.</summary>
    public Tensor<T> Slope { get; }

    /// <summary>The number of slopes: 1 when shared, else the input width.</summary>
    public int Features => Slope.Cols;

    /// <summary>Its name, formula and properties (at the starting slope 0.25), for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "prelu", Title = "PReLU",
        Formula = "f(x) = x for x > 0, a·x otherwise (a learned, from 0.25)",
        Derivative = "∂f/∂x = 1 for x > 0, a for x ≤ 0; ∂f/∂a = x for x ≤ 0, else 0",
        Lower = double.NegativeInfinity, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = true, Smooth = false,
        Use = "hidden layers; learns how leaky each unit should be",
    };

    /// <inheritdoc/>
    public override T Apply(T x) => x > T.Zero ? x : Slope.Span[0] * x;

    /// <inheritdoc/>
    public override T Derivative(T x) => x > T.Zero ? T.One : Slope.Span[0];

    /// <summary>The slope as it stands; see <see cref="Apply"/>.</summary>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output)
    {
        CheckLengths(input.Length, output.Length);
        Elementwise.Map(input, output, new LeakyReLU<T>.Function(Slope.Span[0]));
    }

    /// <summary>The gradient with respect to x only, at the slope as it stands; see <see cref="Apply"/>.</summary>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        Elementwise.AccumulateGradient(input, output, outputGradient, inputGradient, new LeakyReLU<T>.Gradient(Slope.Span[0]));

    /// <summary>y = PReLU(x), recorded with both inputs, x and the slope.</summary>
    /// <exception cref="ArgumentException">There is one slope per feature and x has a different width.</exception>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();
        if (Features > 1 && x.Cols != Features)
            throw new ArgumentException($"{this}: input has {x.Cols} features (shape {x.Shape}) but the layer has {Features} slopes.", nameof(x));

        var y = Tensor<T>.Result(x.Rows, x.Cols, x, Slope);
        if (Features == 1) Elementwise.Map(x.Span, y.Span, new LeakyReLU<T>.Function(Slope.Span[0]));
        else for (int r = 0; r < x.Rows; r++) Elementwise.Map(x.Row(r), Slope.Span, y.Row(r), new PerFeature());

        return y.Record(Name, x, Slope, static y =>
        {
            var (x, slope) = (y.Input, y.Other);
            int cols = x.Cols;
            if (x.RequiresGrad)
            {
                var dx = x.GradAccumulator();
                if (slope.Length == 1)
                    Elementwise.AccumulateGradient(x.Span, y.Span, y.GradSpan, dx, new LeakyReLU<T>.Gradient(slope.Span[0]));
                else // the rule's middle operand is the slope row, not y
                    for (int r = 0; r < x.Rows; r++)
                        Elementwise.AccumulateGradient(x.Row(r), slope.Span, y.GradSpan.Slice(r * cols, cols), dx.Slice(r * cols, cols), new PerFeatureGradient());
            }
            if (slope.RequiresGrad)
            {
                var da = slope.GradAccumulator();
                if (slope.Length == 1)
                    da[0] += Elementwise.Sum(x.Span, y.Span, y.GradSpan, new SlopeGradient());
                else // each row adds its share into the slope of each feature
                    for (int r = 0; r < x.Rows; r++)
                        Elementwise.AccumulateGradient(x.Row(r), x.Row(r), y.GradSpan.Slice(r * cols, cols), da, new SlopeGradient());
            }
        });
    }

    /// <summary>∂f/∂x per element, with each feature's own slope when there is one per feature.</summary>
    internal override void Derivatives(Tensor<T> x, Tensor<T> y, ReadOnlySpan<T> ones, Span<T> derivative)
    {
        if (Features == 1)
        {
            base.Derivatives(x, y, ones, derivative);
            return;
        }
        derivative.Clear();
        int cols = x.Cols;
        for (int r = 0; r < x.Rows; r++)
            Elementwise.AccumulateGradient(x.Row(r), Slope.Span, ones[..cols], derivative.Slice(r * cols, cols), new PerFeatureGradient());
    }

    /// <summary>a, then nothing else.</summary>
    public override IEnumerable<Tensor<T>> Parameters() => [Slope];

    /// <summary><c>slope</c> (PyTorch calls it <c>weight</c>).</summary>
    public override IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters() => [("slope", Slope)];

    /// <inheritdoc/>
    public override string ToString() => $"PReLU(features: {Features})";

    /// <summary>f(x, a) = x for x &gt; 0, a·x otherwise, with a per-feature slope a.</summary>
    private readonly struct PerFeature : IBinaryOperator<T>
    {
        public T Invoke(T x, T a) => x > T.Zero ? x : a * x;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> a) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), x, x * a);
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> a) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), x, x * a);
        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> a) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), x, x * a);
    }

    /// <summary>dy·∂f/∂x = dy for x &gt; 0, a·dy otherwise, with the per-feature slope a in the middle operand.</summary>
    private readonly struct PerFeatureGradient : IGradientOperator<T>
    {
        public T Invoke(T x, T a, T dy) => x > T.Zero ? dy : a * dy;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> a, Vector128<T> dy) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), dy, a * dy);
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> a, Vector256<T> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), dy, a * dy);
        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> a, Vector512<T> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), dy, a * dy);
    }

    /// <summary>dy·∂f/∂a = 0 for x &gt; 0, x·dy otherwise.</summary>
    private readonly struct SlopeGradient : IGradientOperator<T>
    {
        public T Invoke(T x, T unused, T dy) => x > T.Zero ? T.Zero : x * dy;
        public Vector128<T> Invoke(Vector128<T> x, Vector128<T> unused, Vector128<T> dy) => Vector128.ConditionalSelect(Vector128.GreaterThan(x, Vector128<T>.Zero), Vector128<T>.Zero, x * dy);
        public Vector256<T> Invoke(Vector256<T> x, Vector256<T> unused, Vector256<T> dy) => Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<T>.Zero), Vector256<T>.Zero, x * dy);
        public Vector512<T> Invoke(Vector512<T> x, Vector512<T> unused, Vector512<T> dy) => Vector512.ConditionalSelect(Vector512.GreaterThan(x, Vector512<T>.Zero), Vector512<T>.Zero, x * dy);
    }
}
