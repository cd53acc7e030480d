using System.Numerics;

namespace MiniGrad.Optimizers;

/// <summary>
/// Stochastic gradient descent with momentum, dampening, weight decay and Nesterov momentum, with PyTorch's
/// update rule. For each parameter p with gradient g, at step t:
/// <code>
/// g ← g + weightDecay · p
/// if momentum ≠ 0:
///     b ← g                                   at the first step
///     b ← momentum · b + (1 − dampening) · g   after it
///     g ← g + momentum · b   if nesterov, else g ← b
/// p ← p − lr · g
/// </code>
/// </summary>
/// <remarks>Sutskever et al. (2013) for the Nesterov form used here.</remarks>
public sealed class SGD<T> : Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[]?[] momentumBuffers;

    /// <summary>Creates the optimizer; every hyperparameter is checked here.</summary>
    /// <param name="parameters">The tensors to update (leaves that require grad).</param>
    /// <param name="lr">Learning rate, ≥ 0 (PyTorch's default 1e-3).</param>
    /// <param name="momentum">Momentum factor, ≥ 0; 0 turns momentum off.</param>
    /// <param name="dampening">Dampening for momentum, ≥ 0.</param>
    /// <param name="weightDecay">L2 penalty added to the gradient, ≥ 0.</param>
    /// <param name="nesterov">Nesterov momentum; needs momentum &gt; 0 and dampening 0.</param>
    public SGD(IEnumerable<Tensor<T>> parameters, double lr = 1e-3, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(parameters, lr)
    {
        RequireNonNegative(momentum, nameof(momentum));
        RequireNonNegative(dampening, nameof(dampening));
        RequireNonNegative(weightDecay, nameof(weightDecay));
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"Nesterov momentum needs momentum > 0 and dampening 0; got momentum {momentum}, dampening {dampening}.", nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        momentumBuffers = new T[]?[Parameters.Count];
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>Dampening for momentum.</summary>
    public double Dampening { get; }

    /// <summary>L2 penalty coefficient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    public override void Step()
    {
        T lr = T.CreateTruncating(LearningRate), momentum = T.CreateTruncating(Momentum);
        T keep = T.CreateTruncating(1 - Dampening), decay = T.CreateTruncating(WeightDecay);
        for (int k = 0; k < Parameters.Count; k++)
        {
            var parameter = Parameters[k];
            if (parameter.Grad is not { } gradient) continue;
            Span<T> p = parameter.AsSpan(), g = gradient.AsSpan();

            bool first = momentumBuffers[k] is null;
            Span<T> b = Momentum == 0 ? default : (momentumBuffers[k] ??= new T[p.Length]);
            for (int i = 0; i < p.Length; i++)
            {
                T d = g[i] + decay * p[i];
                if (Momentum != 0)
                {
                    b[i] = first ? d : momentum * b[i] + keep * d;
                    d = Nesterov ? d + momentum * b[i] : b[i];
                }
                p[i] -= lr * d;
            }
        }
    }
}
