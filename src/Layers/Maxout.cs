using System.Numerics;
using MiniGrad.Activations;

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
/// <para>Each piece starts as PyTorch's <c>nn.Linear</c> would: W_k and b_k from U(±1/√inFeatures), drawn from the
/// caller's <see cref="Random"/> piece by piece, W_k (row-major) before b_k.</para>
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
        double bound = 1 / Math.Sqrt(inFeatures);
        for (int k = 0; k < pieces; k++)
        {
            weights[k] = Tensor<T>.RandomUniform(inFeatures, outFeatures, -bound, bound, rng, requiresGrad: true);
            biases[k] = Tensor<T>.RandomUniform(1, outFeatures, -bound, bound, rng, requiresGrad: true);
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

    /// <summary>Its name, formula and properties, for samples and docs.</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "maxout", Title = "Maxout",
        Formula = "y = max_k (x·W_k + b_k)",
        Derivative = "∂y/∂z_k = 1 for the winning piece, 0 for the others",
        Lower = double.NegativeInfinity, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = false, Smooth = false,
        Use = "hidden layers that learn their own convex activation (with dropout, as in the paper)",
    };

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">x does not have <see cref="InFeatures"/> columns.</exception>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Cols != InFeatures)
            throw new ArgumentException($"{this}: input has {x.Cols} features (shape {x.Shape}) but the layer expects {InFeatures}.", nameof(x));
        var y = x.Linear(weights[0], biases[0]);
        for (int k = 1; k < Pieces; k++) y = y.Maximum(x.Linear(weights[k], biases[k]));
        return y;
    }

    /// <summary>W₀, b₀, W₁, b₁, …</summary>
    public override IEnumerable<Tensor<T>> Parameters()
    {
        for (int k = 0; k < Pieces; k++)
        {
            yield return weights[k];
            yield return biases[k];
        }
    }

    /// <summary><c>weight.0</c>, <c>bias.0</c>, <c>weight.1</c>, <c>bias.1</c>, … in the order of <see cref="Parameters"/>.</summary>
    public override IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters()
    {
        for (int k = 0; k < Pieces; k++)
        {
            yield return ($"weight.{k}", weights[k]);
            yield return ($"bias.{k}", biases[k]);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"Maxout({InFeatures} → {OutFeatures}, pieces: {Pieces})";
}
