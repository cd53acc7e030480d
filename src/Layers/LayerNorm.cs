using System.Globalization;
using System.Numerics;
using MiniGrad.Kernels;

namespace MiniGrad.Layers;

/// <summary>
/// Layer normalisation (Ba, Kiros and Hinton, 2016; PyTorch's <c>nn.LayerNorm(features)</c>): each row is normalised by its
/// own mean and biased variance over its features, y = γ ⊙ (x − μ_row)/√(σ²_row + ε) + β, the same in training and in
/// evaluation.
/// </summary>
/// <remarks>
/// With x̂ = (x − μ)·s, s = 1/√(σ² + ε) per row of F features and h = dy ⊙ γ: dx = s/F ⊙ (F·h − Σh − x̂·Σ(h ⊙ x̂)) per row,
/// dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy. Saved, the state is PyTorch's <c>weight</c> and <c>bias</c>, [features] each.
/// </remarks>
public sealed class LayerNorm<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a layer normalisation over <paramref name="features"/> features.</summary>
    /// <param name="features">The width of the input, at least 1.</param>
    /// <param name="eps">ε &gt; 0, added to the variance; 1e-5 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or setting is out of range.</exception>
    public LayerNorm(int features, double eps = 1e-5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        Eps = Require.Positive(eps, nameof(eps));
        Weight = RegisterParameter("weight", Tensor<T>.Ones(1, features, requiresGrad: true));
        Bias = RegisterParameter("bias", Tensor<T>.Zeros(1, features, requiresGrad: true));
    }

    /// <summary>The number of features.</summary>
    public int Features => Weight.Cols;

    internal override int? InputFeatures => Features;

    internal override int? OutputFeatures(int? input) => Features;

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>γ, 1 × features, starting at 1; requires grad.</summary>
    public Tensor<T> Weight { get; }

    /// <summary>β, 1 × features, starting at 0; requires grad.</summary>
    public Tensor<T> Bias { get; }

    /// <summary>Normalises each row by its own statistics, then scales and shifts each feature.</summary>
    /// <exception cref="ArgumentException">x does not have <see cref="Features"/> columns.</exception>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        RequireFeatures(x, Features);
        int rows = x.Rows, cols = x.Cols;
        ReadOnlySpan<Tensor<T>> inputs = [x, Weight, Bias];
        var y = Tensor<T>.Result(rows, cols, inputs);
        var normalised = Tensor<T>.Saved(y, rows, cols); // x̂
        var scale = Tensor<T>.Saved(y, rows, 1);         // s per row
        T eps = T.CreateTruncating(Eps), n = T.CreateTruncating(cols);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Row(r);
            T mean = T.Zero, variance = T.Zero;
            foreach (var v in row) mean += v;
            mean /= n;
            foreach (var v in row) variance += (v - mean) * (v - mean);
            T s = T.One / T.Sqrt(variance / n + eps);
            scale.Span[r] = s;
            for (int c = 0; c < cols; c++)
            {
                T xhat = (row[c] - mean) * s;
                normalised.Span[r * cols + c] = xhat;
                y.Span[r * cols + c] = Weight.Span[c] * xhat + Bias.Span[c];
            }
        }
        return Tensor<T>.Record(Name, y, inputs, (Normalised: normalised, Scale: scale), static (y, inputs, saved) =>
        {
            var (x, gamma, beta) = (inputs[0], inputs[1], inputs[2]);
            int rows = y.Rows, cols = y.Cols;
            ReadOnlySpan<T> dy = y.GradSpan, xhat = saved.Normalised.Span;
            T n = T.CreateTruncating(cols);
            Span<T> dGamma = gamma.RequiresGrad ? gamma.GradAccumulator() : default, dBeta = beta.RequiresGrad ? beta.GradAccumulator() : default;
            Span<T> dx = x.RequiresGrad ? x.GradAccumulator() : default;
            for (int r = 0; r < rows; r++)
            {
                T sumH = T.Zero, sumHX = T.Zero;
                for (int c = 0; c < cols; c++)
                {
                    T h = dy[r * cols + c] * gamma.Span[c];
                    sumH += h;
                    sumHX += h * xhat[r * cols + c];
                    if (!dGamma.IsEmpty) dGamma[c] += dy[r * cols + c] * xhat[r * cols + c];
                    if (!dBeta.IsEmpty) dBeta[c] += dy[r * cols + c];
                }
                if (dx.IsEmpty) continue;
                T s = saved.Scale.Span[r];
                for (int c = 0; c < cols; c++)
                    dx[r * cols + c] += s / n * (n * dy[r * cols + c] * gamma.Span[c] - sumH - xhat[r * cols + c] * sumHX);
            }
        });
    }

    internal override ModuleSpec Spec() => ModuleSpec.Of("LayerNorm", ("features", Features), ("eps", Eps));

    internal static LayerNorm<T> FromSpec(ModuleSpec spec) => new(spec.Int("features"), spec.Double("eps"));

    /// <summary><c>LayerNorm(8)</c>, with ε when it is not the default.</summary>
    public override string ToString() => Eps == 1e-5
        ? string.Create(CultureInfo.InvariantCulture, $"LayerNorm({Features})")
        : string.Create(CultureInfo.InvariantCulture, $"LayerNorm({Features}, eps: {Eps})");
}
