using System.Numerics;
using System.Runtime.CompilerServices;

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
        var rule = new Rule(this);
        for (int k = 0; k < Parameters.Count; k++)
        {
            var parameter = Parameters[k];
            if (parameter.Grad is not { } gradient) continue;
            Span<T> p = parameter.AsSpan(), g = gradient.AsSpan();
            bool first = momentumBuffers[k] is null;
            Span<T> b = Momentum == 0 ? default : (momentumBuffers[k] ??= new T[p.Length]);
            int i = 0;
            if (Lanes512<T>.IsAccelerated) i = Update<Lanes512<T>>(i, p, g, b, first, rule);
            if (Lanes256<T>.IsAccelerated) i = Update<Lanes256<T>>(i, p, g, b, first, rule);
            if (Lanes128<T>.IsAccelerated) i = Update<Lanes128<T>>(i, p, g, b, first, rule);
            Update<Lanes1<T>>(i, p, g, b, first, rule);
        }
    }

    /// <summary>The step's hyperparameters, in T.</summary>
    private readonly struct Rule(SGD<T> sgd)
    {
        public readonly T LearningRate = T.CreateTruncating(sgd.LearningRate), Momentum = T.CreateTruncating(sgd.Momentum);
        public readonly T Keep = T.CreateTruncating(1 - sgd.Dampening), Decay = T.CreateTruncating(sgd.WeightDecay);
        public readonly bool HasMomentum = sgd.Momentum != 0, Nesterov = sgd.Nesterov;
    }

    /// <summary>The update rule of the class summary on elements i.. of the spans, TLanes.Count at a time; returns where it stopped.</summary>
    private static int Update<TLanes>(int i, Span<T> p, ReadOnlySpan<T> g, Span<T> b, bool first, in Rule rule)
        where TLanes : struct, ILanes<T, TLanes>
    {
        TLanes lr = TLanes.Broadcast(rule.LearningRate), momentum = TLanes.Broadcast(rule.Momentum);
        TLanes keep = TLanes.Broadcast(rule.Keep), decay = TLanes.Broadcast(rule.Decay);
        for (int width = TLanes.Count; i + width <= p.Length; i += width)
        {
            var parameter = TLanes.Load(ref p[i]);
            var d = TLanes.Add(TLanes.Load(ref Unsafe.AsRef(in g[i])), TLanes.Multiply(decay, parameter));
            if (rule.HasMomentum)
            {
                var buffer = first ? d : TLanes.Add(TLanes.Multiply(momentum, TLanes.Load(ref b[i])), TLanes.Multiply(keep, d));
                buffer.Store(ref b[i]);
                d = rule.Nesterov ? TLanes.Add(d, TLanes.Multiply(momentum, buffer)) : buffer;
            }
            TLanes.Subtract(parameter, TLanes.Multiply(lr, d)).Store(ref p[i]);
        }
        return i;
    }
}
