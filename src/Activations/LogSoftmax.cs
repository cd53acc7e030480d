using System.Numerics;
using System.Numerics.Tensors;
using MiniGrad.Kernels;
using System.Runtime.CompilerServices;

namespace MiniGrad.Activations;

/// <summary>
/// Log-softmax over each row: yᵢ = xᵢ − ln Σⱼ e^(xⱼ), the logarithm of <see cref="Softmax{T}"/>. Range (−∞, 0),
/// not zero-centred; smooth.
/// </summary>
/// <remarks>
/// <para>∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ, so backward is dx = dy − e^y · Σⱼ dyⱼ per row, from the saved output alone
/// (e^y is the softmax).</para>
/// <para>Stability: computed as x − max − ln Σ e^(x − max) (log-sum-exp with the maximum taken out), never as
/// ln(softmax(x)), which gives ln 0 = −∞ as soon as one probability underflows.</para>
/// <para>Pair it with a negative log-likelihood, or use <see cref="Losses.CrossEntropyLoss{T}"/> on the logits,
/// which is the two in one.</para>
/// </remarks>
public sealed class LogSoftmax<T> : RowwiseActivation<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Its name, formula and properties, for samples and docs (per output, as a function of its own logit).</summary>
    public static ActivationInfo Info { get; } = new()
    {
        Name = "log_softmax", Title = "LogSoftmax",
        Formula = "yᵢ = xᵢ − ln Σⱼ e^(xⱼ)",
        Derivative = "∂yᵢ/∂xⱼ = δᵢⱼ − softmax(x)ⱼ",
        Lower = double.NegativeInfinity, Upper = 0,
        ZeroCentred = false, Monotonic = true, Smooth = true,
        Use = "output layer, feeding a negative log-likelihood loss",
    };

    /// <summary>output = log-softmax(row) for one row.</summary>
    public override void ForwardKernel(ReadOnlySpan<T> row, Span<T> output)
    {
        CheckLengths(row.Length, output.Length);
        if (row.IsEmpty) return;
        T max = Elementwise.Max(row);
        T sum = Elementwise.MapSum(row, output, new ShiftedExp<T>(max, T.One));
        // (x − max) − ln Σ, in that order: max + ln Σ would round to a large max's ulp before x is taken off it.
        Elementwise.Map(row, output, new ShiftTwice(max, T.Log(sum)));
    }

    /// <summary>(x − first) − second: a log-softmax output from its row's max and the log of its shifted sum.</summary>
    private readonly struct ShiftTwice(T first, T second) : IUnaryOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes x) where TLanes : struct, ILanes<T, TLanes> =>
            x - TLanes.Create(first) - TLanes.Create(second);
    }

    /// <summary>inputGradient += dy − e^y · Σ dy for one row, from its output y and output gradient dy.</summary>
    public override void BackwardKernel(ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        BackwardKernel(output, outputGradient, inputGradient, accumulate: true);

    /// <inheritdoc/>
    internal override void BackwardKernel(ReadOnlySpan<T> output, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, bool accumulate)
    {
        CheckLengths(output.Length, outputGradient.Length, inputGradient.Length);
        Elementwise.Gradient(output, output, outputGradient, inputGradient, accumulate, new Gradient(TensorPrimitives.Sum(outputGradient)));
    }

    /// <summary>dy − e^y·Σdy, with Σdy for the row given.</summary>
    private readonly struct Gradient(T sum) : IGradientOperator<T>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public TLanes Invoke<TLanes>(TLanes unused, TLanes y, TLanes dy) where TLanes : struct, ILanes<T, TLanes> => dy - TLanes.Exp(y) * sum;
    }
}
