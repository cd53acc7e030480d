using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MiniGrad.Kernels;

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
/// A moment below the smallest normal number (1.2 · 10⁻³⁸ in float) is stored as 0, as PyTorch does under
/// <c>torch.set_flush_denormal(True)</c>: a unit whose gradient stays 0 would otherwise keep subnormal moments, which
/// Intel's x86 cores multiply and divide about 20 × slower. The step such a moment gives is at most
/// lr · m / ((1 − β₁ᵗ) · ε), for the default ε below 10⁻³⁰ · lr / (1 − β₁ᵗ).
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
    /// <param name="eps">Added to the denominator for numerical stability, &gt; 0.</param>
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
        // eps = 0 (or an eps that rounds to 0 in T) would turn a zero gradient into the update 0/0 = NaN.
        if (!(eps > 0 && double.IsFinite(eps) && T.CreateTruncating(eps) > T.Zero))
            throw Require.OutOfRange(nameof(eps), eps, $"must be a finite number > 0 that {typeof(T).Name} can hold; with eps = 0 a parameter whose gradient is 0 would get the update 0/0 = NaN");
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

    /// <summary>Parameter <paramref name="index"/>'s first and second moments as stored (empty before its first step): for tests.</summary>
    internal (ReadOnlyMemory<T> First, ReadOnlyMemory<T> Second) MomentsOf(int index) => (firstMoments[index], secondMoments[index]);

    /// <summary>β₁, the decay of the first-moment average.</summary>
    public double Beta1 { get; }

    /// <summary>β₂, the decay of the second-moment average.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>The weight-decay coefficient.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc/>
    /// <remarks>A parameter of at least <see cref="BandWork.ParallelLength"/> elements is updated in bands over the worker
    /// pool; each element's update is the same whichever thread makes it.</remarks>
    public override void Step()
    {
        var pass = stepPass ??= new StepPass();
        for (int k = 0; k < Parameters.Count; k++)
        {
            var parameter = Parameters[k];
            if (parameter.Grad is not { } gradient) continue;
            int t = ++steps[k];
            (pass.Parameter, pass.Gradient, pass.First, pass.Second, pass.Rule) = (parameter, gradient,
                firstMoments[k] ??= new T[parameter.Length], secondMoments[k] ??= new T[parameter.Length],
                new Rule(this, 1 - Math.Pow(Beta1, t), 1 - Math.Pow(Beta2, t)));
            pass.RunAll(parameter.Length);
        }
        (pass.Parameter, pass.Gradient, pass.First, pass.Second) = (null, null, [], []); // let the tensors go
    }

    private StepPass? stepPass;

    /// <summary>One parameter's update, as a pass that can be split into bands (<see cref="BandWork"/>).</summary>
    private sealed class StepPass : BandWork
    {
        public Tensor<T>? Parameter, Gradient;
        public T[] First = [], Second = [];
        public Rule Rule;

        protected override void RunBand(int start, int end)
        {
            var update = new Update(Parameter!.AsSpan()[start..end], Gradient!.AsSpan()[start..end],
                First.AsSpan(start..end), Second.AsSpan(start..end), Rule);
            Lanes.Run<T, Update>(ref update);
        }
    }

    /// <summary>One step's constants, in T: the decays, the bias-corrected step size and the weight decay.</summary>
    private readonly struct Rule(Adam<T> adam, double correction1, double correction2)
    {
        public readonly T Beta1 = T.CreateTruncating(adam.Beta1), OneMinusBeta1 = T.CreateTruncating(1 - adam.Beta1);
        public readonly T Beta2 = T.CreateTruncating(adam.Beta2), OneMinusBeta2 = T.CreateTruncating(1 - adam.Beta2);
        public readonly T StepSize = T.CreateTruncating(adam.LearningRate / correction1);
        public readonly T Correction2Root = T.CreateTruncating(Math.Sqrt(correction2));
        public readonly T Eps = T.CreateTruncating(adam.Eps);
        /// <summary>Adam's L2 term, added to the gradient (0 for AdamW).</summary>
        public readonly T Decay = T.CreateTruncating(adam.decoupledWeightDecay ? 0 : adam.WeightDecay);
        /// <summary>AdamW's decoupled decay, 1 − lr·λ, applied to p first (1 for Adam).</summary>
        public readonly T Shrink = T.CreateTruncating(adam.decoupledWeightDecay ? 1 - adam.LearningRate * adam.WeightDecay : 1);
    }

    /// <summary>The update rule of the class summary over the spans, for any lane width.</summary>
    /// <remarks>The spans are equally long (the caller makes m and v for p, and a gradient has its parameter's shape).</remarks>
    private ref struct Update(Span<T> p, ReadOnlySpan<T> g, Span<T> m, Span<T> v, Rule rule) : IWidthLoop<T>
    {
        private readonly Span<T> p = p, m = m, v = v;
        private readonly ReadOnlySpan<T> g = g;

        public readonly int Length => p.Length;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // see Lanes.Run
        public readonly int Run<TLanes>(int i) where TLanes : struct, ILanes<T, TLanes>
        {
            TLanes beta1 = TLanes.Create(rule.Beta1), oneMinusBeta1 = TLanes.Create(rule.OneMinusBeta1);
            TLanes beta2 = TLanes.Create(rule.Beta2), oneMinusBeta2 = TLanes.Create(rule.OneMinusBeta2);
            TLanes stepSize = TLanes.Create(rule.StepSize), correction2Root = TLanes.Create(rule.Correction2Root);
            TLanes eps = TLanes.Create(rule.Eps), decay = TLanes.Create(rule.Decay), shrink = TLanes.Create(rule.Shrink);
            TLanes smallestNormal = TLanes.Create(Lanes.SmallestNormal<T>());
            ref T ps = ref MemoryMarshal.GetReference(p), gs = ref MemoryMarshal.GetReference(g);
            ref T ms = ref MemoryMarshal.GetReference(m), vs = ref MemoryMarshal.GetReference(v);
            for (; i <= p.Length - TLanes.Count; i += TLanes.Count)
            {
                var parameter = TLanes.Load(ref Unsafe.Add(ref ps, i));
                var d = TLanes.Load(ref Unsafe.Add(ref gs, i)) + decay * parameter;
                // The moments are stored without subnormals (Lanes.FlushSubnormals): a unit whose gradient stays 0 decays its
                // moments into them, where every later multiply, square root and division would take a microcode assist.
                var first = Lanes.FlushSubnormals<T, TLanes>(beta1 * TLanes.Load(ref Unsafe.Add(ref ms, i)) + oneMinusBeta1 * d, smallestNormal);
                var second = Lanes.FlushSubnormals<T, TLanes>(beta2 * TLanes.Load(ref Unsafe.Add(ref vs, i)) + oneMinusBeta2 * d * d, smallestNormal);
                var denominator = TLanes.Sqrt(second) / correction2Root + eps;
                (parameter * shrink - stepSize * first / denominator).Store(ref Unsafe.Add(ref ps, i));
                first.Store(ref Unsafe.Add(ref ms, i));
                second.Store(ref Unsafe.Add(ref vs, i));
            }
            return i;
        }
    }
}
