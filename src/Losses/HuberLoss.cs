using System.Numerics;

namespace MiniGrad.Losses;

/// <summary>
/// Huber loss with threshold δ (1 by default): per element ½d² where |d| ≤ δ and δ(|d| − ½δ) beyond, d = p − t, averaged over
/// all N elements (PyTorch's <c>HuberLoss</c>, 'mean').
/// </summary>
/// <remarks>dL/dpᵢ = dᵢ/N where |dᵢ| ≤ δ, δ·sign(dᵢ)/N beyond: quadratic near the target, linear (so robust to outliers) far from it.</remarks>
public sealed class HuberLoss<T> : IRegressionLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T delta;

    /// <summary>Creates a Huber loss.</summary>
    /// <param name="delta">δ &gt; 0, where the loss turns from quadratic to linear; 1 by default.</param>
    /// <exception cref="ArgumentOutOfRangeException">δ is not a finite number &gt; 0.</exception>
    public HuberLoss(double delta = 1.0)
    {
        Delta = Kernels.Require.Positive(delta, nameof(delta));
        this.delta = T.CreateTruncating(delta);
    }

    /// <summary>δ.</summary>
    public double Delta { get; }

    /// <summary>The loss of <paramref name="prediction"/> against <paramref name="target"/> (same shape), as a 1 × 1 tensor.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public Tensor<T> Forward(Tensor<T> prediction, Tensor<T> target) => ElementwiseLoss.Forward("HuberLoss", prediction, target, new Rule(delta));

    /// <summary>½d² or δ(|d| − ½δ), and d or δ·sign(d).</summary>
    private readonly struct Rule(T delta) : ILossRule<T>
    {
        private static readonly T Half = T.CreateTruncating(0.5);

        public T Value(T d) => T.Abs(d) <= delta ? Half * d * d : delta * (T.Abs(d) - Half * delta);
        public T Derivative(T d) => T.Abs(d) <= delta ? d : delta * T.CreateTruncating(T.Sign(d));
    }
}
