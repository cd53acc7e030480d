using System.Globalization;
using System.Numerics;

namespace MiniGrad.Layers;

/// <summary>
/// A fully connected layer: y = x·W + b, for x of shape batch × inFeatures, W of shape inFeatures × outFeatures
/// and b of shape 1 × outFeatures (broadcast over the batch).
/// </summary>
/// <remarks>
/// <para>dx = dy·Wᵀ, dW += xᵀ·dy, db += Σ_rows dy.</para>
/// <para>By default W and b are drawn from U(±1/√inFeatures), as PyTorch's <c>nn.Linear</c> does; the other
/// <see cref="WeightInit"/> schemes draw W by their rule and start b at zero (<see cref="Init.Affine{T}"/>). All draws
/// come from the caller's <see cref="Random"/>, W first (row-major), then b.</para>
/// </remarks>
public sealed class Dense<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates a layer mapping <paramref name="inFeatures"/> inputs to <paramref name="outFeatures"/> outputs, initialised as PyTorch's <c>nn.Linear</c>.</summary>
    /// <param name="inFeatures">Width of the input (columns of x), at least 1.</param>
    /// <param name="outFeatures">Width of the output, at least 1.</param>
    /// <param name="rng">The source of every random draw of the initialisation.</param>
    public Dense(int inFeatures, int outFeatures, Random rng) : this(inFeatures, outFeatures, WeightInit.Default, rng)
    {
    }

    /// <summary>Creates a layer mapping <paramref name="inFeatures"/> inputs to <paramref name="outFeatures"/> outputs, initialised by <paramref name="init"/>.</summary>
    /// <param name="inFeatures">Width of the input (columns of x), at least 1.</param>
    /// <param name="outFeatures">Width of the output, at least 1.</param>
    /// <param name="init">How to initialise the weight (and bias).</param>
    /// <param name="rng">The source of every random draw of the initialisation.</param>
    public Dense(int inFeatures, int outFeatures, WeightInit init, Random rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        ArgumentNullException.ThrowIfNull(rng);
        if (!Enum.IsDefined(init)) throw new ArgumentOutOfRangeException(nameof(init), init, "Unknown weight initialisation scheme.");

        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Tensor<T>.Zeros(inFeatures, outFeatures, requiresGrad: true));
        Bias = RegisterParameter("bias", Tensor<T>.Zeros(1, outFeatures, requiresGrad: true));
        Init.Affine(init, Weight, Bias, rng);
    }

    /// <summary>Width of the input.</summary>
    public int InFeatures { get; }

    /// <summary>Width of the output.</summary>
    public int OutFeatures { get; }

    /// <summary>W, inFeatures × outFeatures; requires grad.</summary>
    public Tensor<T> Weight { get; }

    /// <summary>b, 1 × outFeatures; requires grad.</summary>
    public Tensor<T> Bias { get; }

    internal override int? InputFeatures => InFeatures;

    internal override int? OutputFeatures(int? input) => OutFeatures;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">x does not have <see cref="InFeatures"/> columns.</exception>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        RequireFeatures(x, InFeatures);
        return x.Linear(Weight, Bias);
    }

    /// <summary>W as PyTorch's <c>nn.Linear</c> holds it, [out, in] (the transpose of W), and b as [out].</summary>
    private protected override IEnumerable<StateTensor<T>> OwnState() => [StateTensor<T>.Transposed("weight", Weight), StateTensor<T>.Of("bias", Bias)];

    internal override ModuleSpec Spec() => ModuleSpec.Of("Dense", ("in", InFeatures), ("out", OutFeatures));

    internal static Dense<T> FromSpec(ModuleSpec spec) => new(spec.Int("in"), spec.Int("out"), new Random(0));

    /// <summary><c>Dense(in → out)</c>, e.g. <c>Dense(784 → 512)</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Dense({InFeatures} → {OutFeatures})");
}
