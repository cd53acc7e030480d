using System.Numerics;

namespace MiniGrad.Optimizers;

/// <summary>
/// AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay. Each step first shrinks the
/// parameter, p ← p · (1 − lr · λ), then applies Adam's update to the raw gradient, so the decay does not pass
/// through the adaptive scaling. λ (<c>weightDecay</c>) defaults to 0.01, as in PyTorch.
/// </summary>
public sealed class AdamW<T> : Adam<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Creates the optimizer; every hyperparameter is checked here.</summary>
    /// <param name="parameters">The tensors to update (leaves that require grad).</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="beta1">Decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">Decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">Added to the denominator for numerical stability, &gt; 0.</param>
    /// <param name="weightDecay">Decoupled weight decay λ, ≥ 0.</param>
    public AdamW(IEnumerable<Tensor<T>> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
        : base(parameters, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay: true)
    {
    }
}
