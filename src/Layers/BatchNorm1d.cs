using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using MiniGrad.Kernels;

namespace MiniGrad.Layers;

/// <summary>
/// Batch normalisation over the batch (Ioffe and Szegedy, 2015; PyTorch's <c>nn.BatchNorm1d</c> on batch × features):
/// y = γ ⊙ (x − μ)/√(σ² + ε) + β per feature, with μ and σ² the batch's mean and biased variance in training, and the running
/// estimates in evaluation.
/// </summary>
/// <remarks>
/// <para>In training, with x̂ = (x − μ)·s and s = 1/√(σ² + ε) over N rows: dβ = Σ dy, dγ = Σ dy ⊙ x̂, and
/// dx = γ·s/N ⊙ (N·dy − dβ − x̂ ⊙ dγ), since μ and σ² depend on every row. In evaluation μ and σ² are constants:
/// dx = dy ⊙ γ·s.</para>
/// <para>Each training pass updates the running estimates, r ← (1 − momentum)·r + momentum·(batch value), the variance with
/// the unbiased σ²·N/(N − 1), and counts itself in <see cref="NumBatchesTracked"/>. A training batch needs more than one row.
/// Saved, the state is PyTorch's: <c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c> (each [features])
/// and <c>num_batches_tracked</c> (an I64 scalar).</para>
/// </remarks>
public sealed class BatchNorm1d<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a batch normalisation of <paramref name="features"/> features.</summary>
    /// <param name="features">The width of the input, at least 1.</param>
    /// <param name="eps">ε &gt; 0, added to the variance; 1e-5 by default.</param>
    /// <param name="momentum">The weight of each batch in the running estimates, in [0, 1]; 0.1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size or setting is out of range.</exception>
    public BatchNorm1d(int features, double eps = 1e-5, double momentum = 0.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        Eps = Require.Positive(eps, nameof(eps));
        if (!(momentum >= 0 && momentum <= 1)) throw Require.OutOfRange(nameof(momentum), momentum, "must be in [0, 1]");
        Momentum = momentum;
        Weight = RegisterParameter("weight", Tensor<T>.Ones(1, features, requiresGrad: true));
        Bias = RegisterParameter("bias", Tensor<T>.Zeros(1, features, requiresGrad: true));
        RunningMean = Tensor<T>.Zeros(1, features);
        RunningVar = Tensor<T>.Ones(1, features);
    }

    /// <summary>The number of features.</summary>
    public int Features => Weight.Cols;

    internal override int? InputFeatures => Features;

    internal override int? OutputFeatures(int? input) => Features;

    /// <summary>ε.</summary>
    public double Eps { get; }

    /// <summary>The weight of each batch in the running estimates.</summary>
    public double Momentum { get; }

    /// <summary>γ, 1 × features, starting at 1; requires grad.</summary>
    public Tensor<T> Weight { get; }

    /// <summary>β, 1 × features, starting at 0; requires grad.</summary>
    public Tensor<T> Bias { get; }

    /// <summary>The running mean, 1 × features, used in evaluation (not learned by gradient).</summary>
    public Tensor<T> RunningMean { get; }

    /// <summary>The running (unbiased) variance, 1 × features, used in evaluation.</summary>
    public Tensor<T> RunningVar { get; }

    /// <summary>How many training passes have updated the running estimates.</summary>
    public long NumBatchesTracked { get; private set; }

    /// <summary>Normalises each feature by the batch's statistics (training) or the running ones (evaluation), then scales and shifts it.</summary>
    /// <exception cref="ArgumentException">x does not have <see cref="Features"/> columns, or a training batch has one row.</exception>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        RequireFeatures(x, Features);
        int rows = x.Rows, cols = x.Cols;
        if (IsTraining && rows < 2)
            throw new ArgumentException($"{this}: a training batch needs more than one row to have a variance; got {x.Shape}. Call Eval() for inference.", nameof(x));

        ReadOnlySpan<Tensor<T>> inputs = [x, Weight, Bias];
        var y = Tensor<T>.Result(rows, cols, inputs);
        var normalised = Tensor<T>.Saved(y, rows, cols);  // x̂
        var scale = Tensor<T>.Saved(y, 1, cols);          // s = 1/√(σ² + ε)
        T eps = T.CreateTruncating(Eps), momentum = T.CreateTruncating(Momentum);
        for (int c = 0; c < cols; c++)
        {
            T mean, variance;
            if (IsTraining)
            {
                (mean, variance) = ColumnMoments(x, c);
                RunningMean[0, c] = (T.One - momentum) * RunningMean[0, c] + momentum * mean;
                RunningVar[0, c] = (T.One - momentum) * RunningVar[0, c] + momentum * variance * T.CreateTruncating(rows) / T.CreateTruncating(rows - 1);
            }
            else
            {
                (mean, variance) = (RunningMean[0, c], RunningVar[0, c]);
            }
            T s = T.One / T.Sqrt(variance + eps);
            scale.Span[c] = s;
            for (int r = 0; r < rows; r++)
            {
                T xhat = (x.Span[r * cols + c] - mean) * s;
                normalised.Span[r * cols + c] = xhat;
                y.Span[r * cols + c] = Weight.Span[c] * xhat + Bias.Span[c];
            }
        }
        if (IsTraining) NumBatchesTracked++;

        return Tensor<T>.Record(Name, y, inputs, (Normalised: normalised, Scale: scale, Training: IsTraining), static (y, inputs, saved) =>
        {
            var (x, gamma, beta) = (inputs[0], inputs[1], inputs[2]);
            int rows = y.Rows, cols = y.Cols;
            ReadOnlySpan<T> dy = y.GradSpan, xhat = saved.Normalised.Span;
            for (int c = 0; c < cols; c++)
            {
                T dBeta = T.Zero, dGamma = T.Zero;
                for (int r = 0; r < rows; r++)
                {
                    dBeta += dy[r * cols + c];
                    dGamma += dy[r * cols + c] * xhat[r * cols + c];
                }
                if (gamma.RequiresGrad) gamma.GradAccumulator()[c] += dGamma;
                if (beta.RequiresGrad) beta.GradAccumulator()[c] += dBeta;
                if (!x.RequiresGrad) continue;
                var dx = x.GradAccumulator();
                T factor = gamma.Span[c] * saved.Scale.Span[c];
                if (!saved.Training)
                {
                    for (int r = 0; r < rows; r++) dx[r * cols + c] += factor * dy[r * cols + c];
                    continue;
                }
                T n = T.CreateTruncating(rows);
                for (int r = 0; r < rows; r++)
                    dx[r * cols + c] += factor / n * (n * dy[r * cols + c] - dBeta - xhat[r * cols + c] * dGamma);
            }
        });
    }

    /// <summary>The mean and the biased variance of column <paramref name="c"/>.</summary>
    private static (T Mean, T Variance) ColumnMoments(Tensor<T> x, int c)
    {
        T sum = T.Zero, squares = T.Zero, n = T.CreateTruncating(x.Rows);
        for (int r = 0; r < x.Rows; r++) sum += x.Span[r * x.Cols + c];
        T mean = sum / n;
        for (int r = 0; r < x.Rows; r++)
        {
            T d = x.Span[r * x.Cols + c] - mean;
            squares += d * d;
        }
        return (mean, squares / n);
    }

    /// <summary>PyTorch's state: weight, bias, running_mean, running_var ([features] each) and num_batches_tracked (an I64 scalar).</summary>
    private protected override IEnumerable<StateTensor<T>> OwnState() =>
    [
        StateTensor<T>.Of("weight", Weight), StateTensor<T>.Of("bias", Bias),
        StateTensor<T>.Of("running_mean", RunningMean), StateTensor<T>.Of("running_var", RunningVar),
        new StateTensor<T>("num_batches_tracked", [], () => [T.CreateTruncating(NumBatchesTracked)], values => NumBatchesTracked = long.CreateTruncating(values[0])) { IsCounter = true },
    ];

    internal override ModuleSpec Spec() => ModuleSpec.Of("BatchNorm1d", ("features", Features), ("eps", Eps), ("momentum", Momentum));

    internal static BatchNorm1d<T> FromSpec(ModuleSpec spec) => new(spec.Int("features"), spec.Double("eps"), spec.Double("momentum"));

    /// <summary><c>BatchNorm1d(8)</c>, with ε and momentum when they are not the defaults.</summary>
    public override string ToString() => Eps == 1e-5 && Momentum == 0.1
        ? string.Create(CultureInfo.InvariantCulture, $"BatchNorm1d({Features})")
        : string.Create(CultureInfo.InvariantCulture, $"BatchNorm1d({Features}, eps: {Eps}, momentum: {Momentum})");
}
