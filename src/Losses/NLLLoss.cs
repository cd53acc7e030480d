using System.Numerics;
using MiniGrad.Kernels;

namespace MiniGrad.Losses;

/// <summary>
/// Negative log-likelihood of log-probabilities (PyTorch's <c>NLLLoss</c>, 'mean'): for rows of log-probabilities ℓ (the
/// output of <see cref="Activations.LogSoftmax{T}"/>), labels y and class weights w (1 by default),
/// L = Σ_b w_y_b·(−ℓ_b,y_b) / Σ_b w_y_b.
/// </summary>
/// <remarks>
/// <para>dL/dℓ_bj = −w_y_b / Σ_b w_y_b where j = y_b, and 0 elsewhere.</para>
/// <para>LogSoftmax followed by NLLLoss is cross-entropy; <see cref="CrossEntropyLoss{T}"/> fuses the two.</para>
/// </remarks>
public sealed class NLLLoss<T> : IClassificationLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[]? weights;

    /// <summary>Creates a negative log-likelihood loss.</summary>
    /// <param name="weights">One weight per class, each ≥ 0; null for all 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A weight is negative or not finite.</exception>
    public NLLLoss(double[]? weights = null)
    {
        if (weights is not null)
            for (int c = 0; c < weights.Length; c++) Require.NonNegative(weights[c], $"weights[{c}]");
        this.weights = weights?.Select(T.CreateTruncating).ToArray();
    }

    /// <summary>The loss of <paramref name="logProbabilities"/> (batch × classes) for <paramref name="labels"/>, as a 1 × 1 tensor.</summary>
    /// <exception cref="ArgumentException">The labels do not fit the rows or the classes, the weights are not one per class, or the labels' weights sum to 0.</exception>
    public Tensor<T> Forward(Tensor<T> logProbabilities, int[] labels)
    {
        LossChecks.Labels("NLLLoss", logProbabilities, labels);
        if (weights is not null && weights.Length != logProbabilities.Cols)
            throw new ArgumentException($"NLLLoss: {weights.Length} class weights for {logProbabilities.Cols} classes ({logProbabilities.Shape} input).", nameof(logProbabilities));
        T total = T.Zero, sum = T.Zero;
        for (int b = 0; b < labels.Length; b++)
        {
            T w = weights is null ? T.One : weights[labels[b]];
            total += w;
            sum -= w * logProbabilities[b, labels[b]];
        }
        if (labels.Length > 0 && total == T.Zero) throw new ArgumentException("NLLLoss: the weights of the batch's labels sum to 0.", nameof(labels));

        var loss = Tensor<T>.Result(1, 1, logProbabilities);
        loss.Span[0] = sum / total;
        return Tensor<T>.Record("NLLLoss", loss, [logProbabilities], (Labels: labels, Weights: weights, Total: total), static (loss, inputs, saved) =>
        {
            var input = inputs[0];
            var dx = input.GradAccumulator();
            T scale = loss.GradSpan[0] / saved.Total;
            for (int b = 0; b < saved.Labels.Length; b++)
                dx[b * input.Cols + saved.Labels[b]] -= scale * (saved.Weights is null ? T.One : saved.Weights[saved.Labels[b]]);
        });
    }
}
