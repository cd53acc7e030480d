using System.Numerics;

namespace MiniGrad.Optimizers;

/// <summary>
/// Adam (Kingma and Ba, 2015) with PyTorch's update rule. For each parameter p with gradient g, at its step t:
/// <code>
/// g ← g + weightDecay · p                      (Adam; AdamW decays p directly instead)
/// m ← β₁ · m + (1 − β₁) · g                    first moment
/// v ← β₂ · v + (1 − β₂) · g²                   second moment
/// p ← p − lr / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// </code>
/// </summary>
/// <remarks>
/// The bias corrections 1 − βᵗ undo the moments' start at zero; ε sits outside the square root, as in PyTorch.
/// </remarks>
public class Adam<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[]?[] firstMoments;
    private readonly T[]?[] secondMoments;
    private readonly int[] steps;
    private readonly bool decoupledWeightDecay;

    /// <summary>Creates the optimizer; every hyperparameter is checked here.</summary>
    /// <param name="parameters">The tensors to update (leaves that require grad).</param>
    /// <param name="lr">Learning rate, ≥ 0.</param>
    /// <param name="beta1">Decay of the first-moment average, in [0, 1).</param>
    /// <param name="beta2">Decay of the second-moment average, in [0, 1).</param>
    /// <param name="eps">Added to the denominator for numerical stability, ≥ 0.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient, ≥ 0.</param>
    public Adam(IEnumerable<Tensor<T>> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
        : this(parameters, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay: false)
    {
    }

    private protected Adam(IEnumerable<Tensor<T>> parameters, double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupledWeightDecay)
        : base(parameters, lr)
    {
        RequireUnitInterval(beta1, nameof(beta1));
        RequireUnitInterval(beta2, nameof(beta2));
        RequireNonNegative(eps, nameof(eps));
        RequireNonNegative(weightDecay, nameof(weightDecay));
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        this.decoupledWeightDecay = decoupledWeightDecay;
        firstMoments = new T[]?[Parameters.Count];
        secondMoments = new T[]?[Parameters.Count];
        steps = new int[Parameters.Count];
    }

    /// <summary>β₁, the decay of the first-moment average.</summary>
    public double Beta1 { get; }

    /// <summary>β₂, the decay of the second-moment average.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>The weight-decay coefficient.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        T beta1 = T.CreateTruncating(Beta1), beta2 = T.CreateTruncating(Beta2), eps = T.CreateTruncating(Eps);
        T oneMinusBeta1 = T.CreateTruncating(1 - Beta1), oneMinusBeta2 = T.CreateTruncating(1 - Beta2);
        T decay = T.CreateTruncating(WeightDecay), shrink = T.CreateTruncating(1 - LearningRate * WeightDecay);
        for (int k = 0; k < Parameters.Count; k++)
        {
            var parameter = Parameters[k];
            if (parameter.Grad is not { } gradient) continue;
            Span<T> p = parameter.AsSpan(), g = gradient.AsSpan();
            Span<T> m = firstMoments[k] ??= new T[p.Length], v = secondMoments[k] ??= new T[p.Length];

            int t = ++steps[k];
            double correction1 = 1 - Math.Pow(Beta1, t), correction2 = 1 - Math.Pow(Beta2, t);
            T stepSize = T.CreateTruncating(LearningRate / correction1);
            T correction2Root = T.CreateTruncating(Math.Sqrt(correction2));

            if (decoupledWeightDecay && WeightDecay != 0)
                for (int i = 0; i < p.Length; i++) p[i] *= shrink; // AdamW: p ← p · (1 − lr · λ)
            for (int i = 0; i < p.Length; i++)
            {
                T d = decoupledWeightDecay ? g[i] : g[i] + decay * p[i];
                m[i] = beta1 * m[i] + oneMinusBeta1 * d;
                v[i] = beta2 * v[i] + oneMinusBeta2 * d * d;
                p[i] -= stepSize * m[i] / (T.Sqrt(v[i]) / correction2Root + eps);
            }
        }
    }
}
