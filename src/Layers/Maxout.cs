using System.Globalization;
using System.Numerics;

namespace MiniGrad.Layers;

/// <summary>
/// A maxout layer (Goodfellow et al., 2013): k affine pieces of the input, and their element-wise maximum,
/// y = max_k (x·W_k + b_k), for x of shape batch × inFeatures, each W_k inFeatures × outFeatures and each b_k
/// 1 × outFeatures.
/// </summary>
/// <remarks>
/// <para>The gradient flows only through the winning piece: dW_k += xᵀ·(dy where piece k is the maximum), and
/// likewise for b_k and x. Where pieces tie, the first of them wins, as an argmax does.</para>
/// <para>A maxout unit is a learned convex, piecewise-linear activation: with two pieces it can be ReLU
/// (max(x, 0)), a leaky ReLU (max(x, 0.01x)) or |x| (max(x, −x)). It never saturates and has no dead region, at the
/// price of k times the weights. Range (−∞, ∞) in general; not zero-centred, not monotonic, not smooth.</para>
/// <para>Saved, it is PyTorch's <c>Linear(in, out·pieces)</c> followed by <c>view(N, out, pieces).amax(-1)</c>: <c>weight</c>
/// [out·pieces, in] and <c>bias</c> [out·pieces], with row unit·pieces + piece holding W_piece's column for that unit.</para>
/// <para>Each piece starts as PyTorch's <c>nn.Linear</c> would (<see cref="Init.Affine{T}"/> with
/// <see cref="WeightInit.Default"/>): W_k and b_k from U(±1/√inFeatures), drawn from the caller's <see cref="Random"/> piece by
/// piece, W_k (row-major) before b_k.</para>
/// </remarks>
public sealed class Maxout<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] weights;
    private readonly Tensor<T>[] biases;

    /// <summary>Creates a maxout layer mapping <paramref name="inFeatures"/> inputs to <paramref name="outFeatures"/> outputs through <paramref name="pieces"/> pieces.</summary>
    /// <param name="inFeatures">Width of the input, at least 1.</param>
    /// <param name="outFeatures">Width of the output, at least 1.</param>
    /// <param name="pieces">k, the number of affine pieces per output, at least 1 (1 is a plain linear layer).</param>
    /// <param name="rng">The source of every random draw of the initialisation.</param>
    public Maxout(int inFeatures, int outFeatures, int pieces, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pieces, 1);
        ArgumentNullException.ThrowIfNull(rng);

        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        weights = new Tensor<T>[pieces];
        biases = new Tensor<T>[pieces];
        for (int k = 0; k < pieces; k++)
        {
            weights[k] = RegisterParameter($"weight.{k}", Tensor<T>.Zeros(inFeatures, outFeatures, requiresGrad: true));
            biases[k] = RegisterParameter($"bias.{k}", Tensor<T>.Zeros(1, outFeatures, requiresGrad: true));
            Init.Affine(WeightInit.Default, weights[k], biases[k], rng);
        }
    }

    /// <summary>Width of the input.</summary>
    public int InFeatures { get; }

    /// <summary>Width of the output.</summary>
    public int OutFeatures { get; }

    /// <summary>k, the number of pieces.</summary>
    public int Pieces => weights.Length;

    /// <summary>W_k for each piece k, inFeatures × outFeatures; each requires grad.</summary>
    public IReadOnlyList<Tensor<T>> Weights => weights;

    /// <summary>b_k for each piece k, 1 × outFeatures; each requires grad.</summary>
    public IReadOnlyList<Tensor<T>> Biases => biases;

    internal override int? InputFeatures => InFeatures;

    internal override int? OutputFeatures(int? input) => OutFeatures;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">x does not have <see cref="InFeatures"/> columns.</exception>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        RequireFeatures(x, InFeatures);
        var y = x.Linear(weights[0], biases[0]);
        for (int k = 1; k < Pieces; k++) y = y.Maximum(x.Linear(weights[k], biases[k]));
        return y;
    }

    /// <summary>The pieces as one PyTorch <c>Linear(in, out·pieces)</c>: row unit·pieces + piece of weight [out·pieces, in] and bias [out·pieces].</summary>
    private protected override IEnumerable<StateTensor<T>> OwnState()
    {
        int rows = OutFeatures * Pieces;
        yield return new StateTensor<T>("weight", [rows, InFeatures],
            () =>
            {
                var values = new T[rows * InFeatures];
                for (int unit = 0; unit < OutFeatures; unit++)
                    for (int k = 0; k < Pieces; k++)
                        for (int i = 0; i < InFeatures; i++) values[(unit * Pieces + k) * InFeatures + i] = weights[k][i, unit];
                return values;
            },
            values =>
            {
                for (int unit = 0; unit < OutFeatures; unit++)
                    for (int k = 0; k < Pieces; k++)
                        for (int i = 0; i < InFeatures; i++) weights[k][i, unit] = values[(unit * Pieces + k) * InFeatures + i];
            });
        yield return new StateTensor<T>("bias", [rows],
            () =>
            {
                var values = new T[rows];
                for (int unit = 0; unit < OutFeatures; unit++)
                    for (int k = 0; k < Pieces; k++) values[unit * Pieces + k] = biases[k][0, unit];
                return values;
            },
            values =>
            {
                for (int unit = 0; unit < OutFeatures; unit++)
                    for (int k = 0; k < Pieces; k++) biases[k][0, unit] = values[unit * Pieces + k];
            });
    }

    internal override ModuleSpec Spec() => ModuleSpec.Of("Maxout", ("in", InFeatures), ("out", OutFeatures), ("pieces", Pieces));

    internal static Maxout<T> FromSpec(ModuleSpec spec) => new(spec.Int("in"), spec.Int("out"), spec.Int("pieces"), new Random(0));

    /// <summary><c>Maxout(in → out, pieces: k)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Maxout({InFeatures} → {OutFeatures}, pieces: {Pieces})");
}
