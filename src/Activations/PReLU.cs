using System.Globalization;
using System.Numerics;
using MiniGrad.Kernels;
using MiniGrad.Layers;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>
/// Parametric ReLU: f(x) = x for x &gt; 0, a·x otherwise, where the slope a is learned (He et al., 2015). Range
/// (−∞, ∞), not zero-centred; monotonic while a ≥ 0, not smooth at 0.
/// </summary>
/// <remarks>
/// <para>∂f/∂x = 1 for x &gt; 0 and a for x ≤ 0 (at the kink, as PyTorch: a); ∂f/∂a = 0 for x &gt; 0 and x for x ≤ 0.
/// Backward: dx += dy·∂f/∂x, and the slope gathers da += Σ dy·x over the elements with x ≤ 0 (of its feature, when
/// there is one slope per feature).</para>
/// <para>One slope shared by every feature by default (<see cref="Slope"/> is 1 × 1), or one per feature
/// (1 × numParameters), like PyTorch's <c>num_parameters</c>; the parameter is named <c>weight</c>, as in PyTorch. The
/// same instance used at two places of a network shares its slope, and the slope's gradient gathers both contributions.
/// Do not use weight decay on the slope: it pulls a towards 0, that is towards ReLU.</para>
/// </remarks>
public sealed class PReLU<T> : Module<T>, IElementwise<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a PReLU whose slopes all start at <paramref name="init"/>.</summary>
    /// <param name="init">The starting slope for x ≤ 0; 0.25 by default, as in PyTorch.</param>
    /// <param name="numParameters">1 for one shared slope (the default), or the input width for one slope per feature.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="init"/> is not finite or <paramref name="numParameters"/> is below 1.</exception>
    public PReLU(double init = 0.25, int numParameters = 1)
    {
        Require.Finite(init, nameof(init));
        ArgumentOutOfRangeException.ThrowIfLessThan(numParameters, 1);
        Slope = RegisterParameter("weight", Tensor<T>.Full(1, numParameters, T.CreateTruncating(init), requiresGrad: true));
    }

    /// <summary>The learned slopes a, 1 × 1 or 1 × numParameters; requires grad. Registered as <c>weight</c>.</summary>
    public Tensor<T> Slope { get; }

    /// <summary>The number of slopes: 1 when shared, else the input width.</summary>
    public int NumParameters => Slope.Cols;

    internal override int? InputFeatures => NumParameters > 1 ? NumParameters : null;

    internal override int? OutputFeatures(int? input) => InputFeatures ?? input;

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

    /// <summary>f(x) at the first slope as it stands (the only one when shared): the reference formula.</summary>
    public T Apply(T x) => x > T.Zero ? x : Slope.Span[0] * x;

    /// <summary>∂f/∂x at the first slope as it stands: the reference derivative.</summary>
    public T Derivative(T x) => x > T.Zero ? T.One : Slope.Span[0];

    /// <summary>y = PReLU(x), recorded with both inputs, x and the slope.</summary>
    /// <exception cref="ArgumentException">There is one slope per feature and x has a different width.</exception>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();
        if (NumParameters > 1 && x.Cols != NumParameters)
            throw new ArgumentException($"{this}: input has {x.Cols} features (shape {x.Shape}) but the layer has {NumParameters} slopes.", nameof(x));

        ReadOnlySpan<Tensor<T>> inputs = [x, Slope];
        var y = Tensor<T>.Result(x.Rows, x.Cols, inputs);
        if (NumParameters == 1) Elementwise.Map(x.Span, y.Span, new LeakyReLU<T>.Function(Slope.Span[0]));
        else for (int r = 0; r < x.Rows; r++) Elementwise.Map(x.Row(r), Slope.Span, y.Row(r), new PerFeature());

        return Tensor<T>.Record(Name, y, inputs, static (y, inputs) =>
        {
            var (x, slope) = (inputs[0], inputs[1]);
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
    void IElementwise<T>.Derivatives(Tensor<T> input, Tensor<T> output, Span<T> derivative)
    {
        var ones = Tensor<T>.Rent(1, input.Cols);
        ones.Span.Fill(T.One);
        derivative.Clear();
        int cols = input.Cols;
        for (int r = 0; r < input.Rows; r++)
        {
            var row = derivative.Slice(r * cols, cols);
            if (NumParameters == 1) Elementwise.AccumulateGradient(input.Row(r), input.Row(r), ones.Span, row, new LeakyReLU<T>.Gradient(Slope.Span[0]));
            else Elementwise.AccumulateGradient(input.Row(r), Slope.Span, ones.Span, row, new PerFeatureGradient());
        }
        ones.Return();
    }

    internal override ModuleSpec? Spec() => ModuleSpec.Of("PReLU", ("numParameters", NumParameters));

    internal static PReLU<T> FromSpec(ModuleSpec spec) => new(numParameters: spec.Int("numParameters"));

    /// <summary><c>PReLU(num_parameters: n)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"PReLU(num_parameters: {NumParameters})");

    /// <summary>f(x, a) = x for x &gt; 0, a·x otherwise, with a per-feature slope a.</summary>
    private readonly struct PerFeature : IBinaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes a) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(TLanes.GreaterThan(x, TLanes.Zero), x, x * a);
    }

    /// <summary>dy·∂f/∂x = dy for x &gt; 0, a·dy otherwise, with the per-feature slope a in the middle operand.</summary>
    private readonly struct PerFeatureGradient : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes a, TLanes dy) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(TLanes.GreaterThan(x, TLanes.Zero), dy, a * dy);
    }

    /// <summary>dy·∂f/∂a = 0 for x &gt; 0, x·dy otherwise.</summary>
    private readonly struct SlopeGradient : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x, TLanes unused, TLanes dy) where TLanes : struct, ILanes<T, TLanes> =>
            TLanes.ConditionalSelect(TLanes.GreaterThan(x, TLanes.Zero), TLanes.Zero, x * dy);
    }
}
