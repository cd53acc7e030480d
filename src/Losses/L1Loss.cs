using System.Numerics;

namespace MiniGrad.Losses;

/// <summary>Mean absolute error: L = (1/N) Σᵢ |pᵢ − tᵢ| over all N elements (PyTorch's <c>L1Loss</c>, 'mean').</summary>
/// <remarks>
/// dL/dpᵢ = sign(pᵢ − tᵢ)/N, with sign(0) = 0 as in PyTorch, and the negative for the target. Less swayed by outliers than
/// <see cref="MSELoss{T}"/>; its gradient does not shrink near the optimum.
/// </remarks>
public sealed class L1Loss<T> : IRegressionLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The loss of <paramref name="prediction"/> against <paramref name="target"/> (same shape), as a 1 × 1 tensor.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public Tensor<T> Forward(Tensor<T> prediction, Tensor<T> target) => ElementwiseLoss.Forward("L1Loss", prediction, target, new Rule());

    /// <summary>|d|, and sign(d).</summary>
    private readonly struct Rule : ILossRule<T>
    {
        public T Value(T d) => T.Abs(d);
        public T Derivative(T d) => T.CreateTruncating(T.Sign(d));
    }
}
