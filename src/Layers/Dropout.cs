using System.Globalization;
using System.Numerics;
using MiniGrad.Kernels;

namespace MiniGrad.Layers;

/// <summary>
/// Inverted dropout (Srivastava et al., 2014): in training each element is zeroed with probability p and the survivors are
/// scaled by 1/(1 − p), y = x ⊙ m/(1 − p) with m ~ Bernoulli(1 − p); in evaluation y = x. PyTorch's <c>nn.Dropout</c>.
/// </summary>
/// <remarks>
/// <para>dx = dy ⊙ m/(1 − p): the same mask forward drew. Scaling in training keeps the expected activation unchanged, so
/// evaluation needs no rescaling. p = 1 zeroes everything.</para>
/// <para>Every draw comes from the <see cref="Random"/> given, one per element in row-major order, so a seeded generator
/// repeats a run exactly.</para>
/// </remarks>
public sealed class Dropout<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Random rng;

    /// <summary>Creates a dropout layer.</summary>
    /// <param name="p">The probability of zeroing an element, in [0, 1]; 0.5 by default, as in PyTorch.</param>
    /// <param name="rng">The source of the masks; <see cref="Random.Shared"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">p is outside [0, 1].</exception>
    public Dropout(double p = 0.5, Random? rng = null)
    {
        if (!(p >= 0 && p <= 1)) throw Require.OutOfRange(nameof(p), p, "must be in [0, 1]");
        P = p;
        this.rng = rng ?? Random.Shared;
    }

    internal override int? OutputFeatures(int? input) => input;

    /// <summary>The probability of zeroing an element in training.</summary>
    public double P { get; }

    /// <summary>x ⊙ m/(1 − p) in training, x itself in evaluation.</summary>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();
        if (!IsTraining || P == 0) return x;
        var y = Tensor<T>.Result(x.Rows, x.Cols, x);
        var mask = Tensor<T>.Saved(y, x.Rows, x.Cols);
        T keep = P == 1 ? T.Zero : T.CreateTruncating(1 / (1 - P));
        Span<T> input = x.Span, output = y.Span, m = mask.Span;
        for (int i = 0; i < input.Length; i++)
        {
            m[i] = rng.NextDouble() < P ? T.Zero : keep;
            output[i] = input[i] * m[i];
        }
        return RecordMasked(Name, y, x, mask);
    }

    /// <summary>Records y = f(x) whose derivative is <paramref name="mask"/> element by element: dx += dy ⊙ mask (both dropouts).</summary>
    internal static Tensor<T> RecordMasked(string name, Tensor<T> y, Tensor<T> x, Tensor<T> mask) =>
        Tensor<T>.Record(name, y, [x], mask, static (y, inputs, mask) =>
        {
            var dx = inputs[0].GradAccumulator();
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(y.GradSpan, mask.Span, dx, dx);
        });

    internal override ModuleSpec Spec() => ModuleSpec.Of("Dropout", ("p", P));

    internal static Dropout<T> FromSpec(ModuleSpec spec) => new(spec.Double("p"));

    /// <summary><c>Dropout(p: 0.5)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Dropout(p: {P})");
}
