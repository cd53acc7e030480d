using System.Numerics;

namespace MiniGrad.Activations;

/// <summary>
/// Randomized leaky ReLU (Xu et al., 2015): f(x) = x for x &gt; 0, r·x otherwise. In training each element draws its
/// own slope r from U(lower, upper), by default U(1/8, 1/3); in evaluation r = (lower + upper)/2. Range (−∞, ∞),
/// not zero-centred; monotonic, not smooth at 0.
/// </summary>
/// <remarks>
/// <para>f'(x) = 1 for x &gt; 0 and r for x ≤ 0 (at the kink, as PyTorch: r). In training, backward uses the very
/// slope each element drew in forward (saved beside the output): dx += dy·r. The noise acts as a regulariser.</para>
/// <para>Every draw comes from the <see cref="Random"/> given to the constructor, one per element with x ≤ 0 in
/// row-major order, so a seeded generator reproduces a run exactly. <see cref="Apply"/>, <see cref="Derivative"/>
/// and the kernels are the evaluation-mode function (the leaky ReLU with the mean slope).</para>
/// </remarks>
public sealed class RReLU<T> : ElementwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Random rng;
    private readonly LeakyReLU<T> evaluation;

    /// <summary>Creates a randomized leaky ReLU.</summary>
    /// <param name="lower">The smallest slope, 1/8 by default.</param>
    /// <param name="upper">The largest slope, 1/3 by default; at least <paramref name="lower"/>.</param>
    /// <param name="rng">The source of the training-mode slopes; <see cref="Random.Shared"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="upper"/> &lt; <paramref name="lower"/>.</exception>
    public RReLU(double lower = 1.0 / 8, double upper = 1.0 / 3, Random? rng = null)
    {
        Lower = Finite(lower, nameof(lower));
        Upper = Finite(upper, nameof(upper));
        if (upper < lower) throw new ArgumentOutOfRangeException(nameof(upper), upper, $"upper must be at least lower ({lower}).");
        evaluation = new LeakyReLU<T>(double.CreateTruncating((Lower + Upper) / T.CreateTruncating(2)));
        this.rng = rng ?? Random.Shared;
    }

    /// <summary>The smallest slope drawn in training.</summary>
    public T Lower { get; }

    /// <summary>The largest slope drawn in training.</summary>
    public T Upper { get; }

    /// <summary>The slope in evaluation: (lower + upper)/2.</summary>
    public T EvalSlope => evaluation.Slope;

    /// <summary>Its name, formula and properties (in evaluation), for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "rrelu", Title = "RReLU",
        Formula = "f(x) = x for x > 0, r·x otherwise; r ~ U(1/8, 1/3) in training, 11/48 in evaluation",
        Derivative = "f'(x) = 1 for x > 0, r for x ≤ 0 (the slope drawn in forward)",
        Lower = double.NegativeInfinity, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = true, Smooth = false,
        Use = "hidden layers, as a leaky ReLU with built-in noise",
    };

    /// <summary>f(x) in evaluation mode: x for x &gt; 0, (lower + upper)/2 · x otherwise.</summary>
    public override T Apply(T x) => evaluation.Apply(x);

    /// <summary>f'(x) in evaluation mode: 1 for x &gt; 0, (lower + upper)/2 otherwise.</summary>
    public override T Derivative(T x) => evaluation.Derivative(x);

    /// <summary>The evaluation-mode forward kernel, the leaky ReLU's.</summary>
    public override void ForwardKernel(ReadOnlySpan<T> input, Span<T> output) => evaluation.ForwardKernel(input, output);

    /// <summary>The evaluation-mode backward kernel, the leaky ReLU's.</summary>
    public override void BackwardKernel(ReadOnlySpan<T> input, ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        evaluation.BackwardKernel(input, output, outputGradient, inputGradient);

    /// <summary>In evaluation the leaky ReLU with the mean slope; in training a fresh random slope per element.</summary>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        if (!IsTraining) return base.Forward(x);
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();

        var y = Tensor<T>.Result(x.Rows, x.Cols, x);
        // The slopes are kept for backward only when it will run; the draws are the same either way.
        Span<T> slopes = y.RequiresGrad ? (y.Saved = TensorPool<T>.Rent(x.Rows, x.Cols)).Span : default;
        ReadOnlySpan<T> input = x.Span;
        Span<T> output = y.Span;
        double lower = double.CreateTruncating(Lower), width = double.CreateTruncating(Upper) - lower;
        for (int i = 0; i < input.Length; i++)
        {
            T slope = T.One;
            if (input[i] <= T.Zero) slope = T.CreateTruncating(lower + width * rng.NextDouble());
            output[i] = input[i] * slope;
            if (!slopes.IsEmpty) slopes[i] = slope;
        }
        return y.Record(Name, x, null, static y =>
        {
            var dx = y.Input.GradAccumulator();
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(y.GradSpan, y.Saved!.Span, dx, dx); // dx += dy·r
        });
    }

    /// <summary>
    /// In training, each element's own random slope: the slopes forward saved for backward when it recorded y, else read
    /// back as y/x where x &lt; 0 (at x = 0, where y tells nothing, the mean slope); in evaluation, the leaky ReLU's derivative.
    /// </summary>
    internal override void Derivatives(Tensor<T> x, Tensor<T> y, ReadOnlySpan<T> ones, Span<T> derivative)
    {
        if (!IsTraining)
        {
            base.Derivatives(x, y, ones, derivative);
            return;
        }
        if (y.Saved is { } slopes)
        {
            slopes.Span.CopyTo(derivative);
            return;
        }
        ReadOnlySpan<T> input = x.Span, output = y.Span;
        T mean = (Lower + Upper) / T.CreateTruncating(2);
        for (int i = 0; i < input.Length; i++)
            derivative[i] = input[i] > T.Zero ? T.One : input[i] < T.Zero ? output[i] / input[i] : mean;
    }

    /// <inheritdoc/>
    public override string ToString() => $"RReLU(lower: {Lower}, upper: {Upper})";
}
