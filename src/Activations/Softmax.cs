using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using MiniGrad.Kernels;
using MiniGrad.Layers;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>
/// Softmax over each row, with a temperature τ (1 by default): yᵢ = e^(xᵢ/τ) / Σⱼ e^(xⱼ/τ). Each output lies in
/// (0, 1) and each row sums to 1: a probability distribution over the columns. Not zero-centred; smooth.
/// </summary>
/// <remarks>
/// <para>∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)/τ, so backward is dx = y ⊙ (dy − ⟨dy, y⟩)/τ per row, from the saved output alone.</para>
/// <para>τ &lt; 1 sharpens the distribution towards the largest logit (τ → 0 is argmax), τ &gt; 1 flattens it towards
/// uniform; the order of the outputs never changes.</para>
/// <para>Stability: the row's maximum is subtracted before exponentiating, softmax(x) = softmax(x − max x), so the
/// largest exponent is e⁰ = 1: a logit 1000 above the rest gives [1, 0, …], never ∞/∞ = NaN. (TensorPrimitives.SoftMax
/// exponentiates without that shift and returns NaN there, so the kernel takes the maximum, then the shifted exponentials
/// and their sum in one pass, then multiplies by the sum's reciprocal.)</para>
/// <para>For classification, give the logits to <see cref="Losses.CrossEntropyLoss{T}"/>, which applies log-softmax
/// itself; use Softmax to read probabilities out.</para>
/// </remarks>
public sealed class Softmax<T> : RowwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T inverseTemperature;

    /// <summary>Creates a row-wise softmax.</summary>
    /// <param name="temperature">τ &gt; 0, the logits are divided by; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">τ is not a finite positive number.</exception>
    public Softmax(double temperature = 1.0)
    {
        Temperature = Require.Positive(temperature, nameof(temperature));
        inverseTemperature = T.CreateTruncating(1 / temperature);
    }

    /// <summary>τ, the temperature.</summary>
    public double Temperature { get; }

    /// <summary>Its name, formula and properties, for samples and docs (per output, as a function of its own logit).</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "softmax", Title = "Softmax",
        Formula = "yᵢ = e^(xᵢ/τ) / Σⱼ e^(xⱼ/τ) (τ = 1)",
        Derivative = "∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)/τ",
        Lower = 0, Upper = 1,
        ZeroCentred = false, Monotonic = true, Smooth = true,
        Use = "output layer for class probabilities (train on the logits with CrossEntropyLoss)",
    };

    /// <summary>output = softmax(row/τ) for one row.</summary>
    public override void ForwardKernel(ReadOnlySpan<T> row, Span<T> output)
    {
        CheckLengths(row.Length, output.Length);
        if (row.IsEmpty) return;
        // The numerators and their sum in one pass, then one multiplication by the sum's reciprocal per element (as
        // ATen's vectorised softmax does) rather than a division, which costs several multiplications' time.
        T sum = Elementwise.MapSum(row, output, new ShiftedExp<T>(Elementwise.Max(row), inverseTemperature));
        TensorPrimitives.Multiply(output, T.One / sum, output);
    }

    /// <summary>inputGradient += y ⊙ (dy − ⟨dy, y⟩)/τ for one row, from its output y and output gradient dy.</summary>
    public override void BackwardKernel(ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate)
    {
        CheckLengths(output.Length, outputGradient.Length, inputGradient.Length);
        var rule = new Gradient(TensorPrimitives.Dot(outputGradient, output), inverseTemperature);
        Elementwise.Gradient(output, output, outputGradient, inputGradient, accumulate, rule);
    }

    internal override ModuleSpec? Spec() => ModuleSpec.Of("Softmax", ("temperature", Temperature));

    internal static Softmax<T> FromSpec(ModuleSpec spec) => new(spec.Double("temperature"));

    /// <summary><c>Softmax</c>, or <c>Softmax(temperature: τ)</c> in the invariant culture.</summary>
    public override string ToString() => Temperature == 1 ? "Softmax" : string.Create(CultureInfo.InvariantCulture, $"Softmax(temperature: {Temperature})");

    /// <summary>y·(dy − ⟨dy, y⟩)/τ, with ⟨dy, y⟩ for the row given.</summary>
    private readonly struct Gradient(T dot, T inverseTemperature) : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes unused, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes> =>
            y * (dy - TLanes.Create(dot)) * inverseTemperature;
    }
}
