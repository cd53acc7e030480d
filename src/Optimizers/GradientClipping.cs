using System.Numerics;
using System.Numerics.Tensors;
using MiniGrad.Kernels;

namespace MiniGrad.Optimizers;

/// <summary>Limits gradients before an optimizer step, as PyTorch's <c>torch.nn.utils.clip_grad_norm_</c>.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales every gradient by maxNorm/(‖g‖ + 1e-6) when the global norm ‖g‖ = √(Σ over all parameters of ‖∂L/∂p‖²)
    /// exceeds <paramref name="maxNorm"/>, so that it becomes (just under) maxNorm; returns ‖g‖ as it was before clipping.
    /// Parameters without a gradient are skipped.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">maxNorm is not a finite number &gt; 0.</exception>
    public static double ClipGlobalNorm<T>(IEnumerable<Tensor<T>> parameters, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return ClipGlobalNorm(parameters as IReadOnlyList<Tensor<T>> ?? parameters.ToArray(), maxNorm);
    }

    /// <inheritdoc cref="ClipGlobalNorm{T}(IEnumerable{Tensor{T}}, double)"/>
    /// <remarks>A list (such as an optimizer's <see cref="Optimizer{T}.Parameters"/>) is read by index: no allocation.</remarks>
    public static double ClipGlobalNorm<T>(IReadOnlyList<Tensor<T>> parameters, double maxNorm) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Require.Positive(maxNorm, nameof(maxNorm));
        double sumOfSquares = 0;
        for (int i = 0; i < parameters.Count; i++)
            if (parameters[i].Grad is { } gradient) sumOfSquares += double.CreateTruncating(TensorPrimitives.SumOfSquares<T>(gradient.AsSpan()));
        double norm = Math.Sqrt(sumOfSquares);
        double factor = maxNorm / (norm + 1e-6);
        if (factor < 1)
            for (int i = 0; i < parameters.Count; i++)
                if (parameters[i].Grad is { } gradient) TensorPrimitives.Multiply(gradient.AsSpan(), T.CreateTruncating(factor), gradient.AsSpan());
        return norm;
    }
}
