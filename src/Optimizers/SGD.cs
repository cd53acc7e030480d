using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MiniGrad.Kernels;

namespace MiniGrad.Optimizers;

/// <summary>
/// Stochastic gradient descent with momentum, dampening, weight decay and Nesterov momentum, with PyTorch's
/// update rule. For each parameter p with gradient g, at step t:
/// <code>
/// g ← g + weightDecay · p                 if weightDecay ≠ 0
/// if momentum ≠ 0:
///     b ← g                                   at the first step
///     b ← momentum · b + (1 − dampening) · g   after it
///     g ← g + momentum · b   if nesterov, else g ← b
/// p ← p − lr · g
/// </code>
/// </summary>
/// <remarks>Sutskever et al. (2013) for the Nesterov form used here. A momentum buffer below the smallest normal number
/// (1.2 · 10⁻³⁸ in float) is stored as 0, as PyTorch does under <c>torch.set_flush_denormal(True)</c>: a unit whose
/// gradient stays 0 would otherwise keep a subnormal buffer, which Intel's x86 cores multiply about 20 × slower, for a
/// step below lr · 1.2 · 10⁻³⁸.</remarks>
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
            throw new ArgumentException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Nesterov momentum needs momentum > 0 and dampening 0; got momentum {momentum}, dampening {dampening}."), nameof(nesterov));
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        momentumBuffers = new T[]?[Parameters.Count];
    }

    /// <summary>Parameter <paramref name="index"/>'s momentum buffer as stored (empty before its first step): for tests.</summary>
    internal ReadOnlyMemory<T> MomentumBufferOf(int index) => momentumBuffers[index];

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>Dampening for momentum.</summary>
    public double Dampening { get; }

    /// <summary>L2 penalty coefficient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    /// <remarks>A parameter of at least <see cref="BandWork.ParallelLength"/> elements is updated in bands over the worker
    /// pool; each element's update is the same whichever thread makes it.</remarks>
    public override void Step()
    {
        var pass = stepPass ??= new StepPass();
        pass.Rule = new Rule(this);
        for (int k = 0; k < Parameters.Count; k++)
        {
            var parameter = Parameters[k];
            if (parameter.Grad is not { } gradient) continue;
            (pass.Parameter, pass.Gradient, pass.First) = (parameter, gradient, momentumBuffers[k] is null);
            pass.Buffer = Momentum == 0 ? [] : (momentumBuffers[k] ??= new T[parameter.Length]);
            pass.RunAll(parameter.Length);
        }
        (pass.Parameter, pass.Gradient, pass.Buffer) = (null, null, []); // let the tensors go
    }

    private StepPass? stepPass;

    /// <summary>One parameter's update, as a pass that can be split into bands (<see cref="BandWork"/>).</summary>
    private sealed class StepPass : BandWork
    {
        public Tensor<T>? Parameter, Gradient;
        /// <summary>The momentum buffer; empty without momentum (and then never read).</summary>
        public T[] Buffer = [];
        /// <summary>Whether this is the buffer's first step (it starts as the gradient, as in PyTorch).</summary>
        public bool First;
        public Rule Rule;

        protected override void RunBand(int start, int end)
        {
            var update = new Update(Parameter!.AsSpan()[start..end], Gradient!.AsSpan()[start..end],
                Buffer.Length == 0 ? default : Buffer.AsSpan(start..end), First, Rule);
            Lanes.Run<T, Update>(ref update);
        }
    }

    /// <summary>The step's hyperparameters, in T.</summary>
    private readonly struct Rule(SGD<T> sgd)
    {
        public readonly T LearningRate = T.CreateTruncating(sgd.LearningRate), Momentum = T.CreateTruncating(sgd.Momentum);
        public readonly T Keep = T.CreateTruncating(1 - sgd.Dampening), Decay = T.CreateTruncating(sgd.WeightDecay);
        public readonly bool HasMomentum = sgd.Momentum != 0, Nesterov = sgd.Nesterov;
    }

    /// <summary>The update rule of the class summary over the spans, for any lane width.</summary>
    /// <remarks>The spans are equally long, but b, which is empty when there is no momentum (and then never read).</remarks>
    private ref struct Update(Span<T> p, ReadOnlySpan<T> g, Span<T> b, bool first, Rule rule) : IWidthLoop<T>
    {
        private readonly Span<T> p = p, b = b;
        private readonly ReadOnlySpan<T> g = g;

        public readonly int Length => p.Length;

        [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // see Lanes.Run
        public readonly int Run<TLanes>(int i) where TLanes : struct, ILanes<T, TLanes> =>
            !rule.HasMomentum ? Loop<TLanes, NoMomentum>(i) : first ? Loop<TLanes, FirstStep>(i) : Loop<TLanes, LaterStep>(i);

        /// <summary>
        /// The loop for one form of the momentum buffer (<typeparamref name="TForm"/>: none, its first step, a later step),
        /// which the JIT compiles to that form alone, with no test of it in the loop.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly int Loop<TLanes, TForm>(int i) where TLanes : struct, ILanes<T, TLanes> where TForm : struct
        {
            TLanes lr = TLanes.Create(rule.LearningRate), momentum = TLanes.Create(rule.Momentum);
            TLanes keep = TLanes.Create(rule.Keep), decay = TLanes.Create(rule.Decay);
            TLanes smallestNormal = TLanes.Create(Lanes.SmallestNormal<T>());
            // The rule's switches as locals, held in registers across the loop; a decay of 0 and a keep of 1 are left out,
            // as PyTorch leaves them out (g + 0·p would turn g = −0 into +0; 1·g is g).
            bool decays = rule.Decay != T.Zero, damps = rule.Keep != T.One, nesterov = rule.Nesterov;
            int length = p.Length;
            ref T ps = ref MemoryMarshal.GetReference(p), gs = ref MemoryMarshal.GetReference(g), bs = ref MemoryMarshal.GetReference(b);
            for (; i <= length - TLanes.Count; i += TLanes.Count)
            {
                var parameter = TLanes.Load(ref Unsafe.Add(ref ps, i));
                var d = TLanes.Load(ref Unsafe.Add(ref gs, i));
                if (decays) d += decay * parameter;
                if (typeof(TForm) != typeof(NoMomentum))
                {
                    // Stored without subnormals (Lanes.FlushSubnormals): a buffer whose gradient stays 0 decays into them.
                    var buffer = typeof(TForm) == typeof(FirstStep) ? d
                        : Lanes.FlushSubnormals<T, TLanes>(momentum * TLanes.Load(ref Unsafe.Add(ref bs, i)) + (damps ? keep * d : d), smallestNormal);
                    buffer.Store(ref Unsafe.Add(ref bs, i));
                    d = nesterov ? d + momentum * buffer : buffer;
                }
                (parameter - lr * d).Store(ref Unsafe.Add(ref ps, i));
            }
            return i;
        }
    }

    /// <summary>No momentum buffer: <see cref="Update"/>'s loop for momentum 0.</summary>
    private readonly struct NoMomentum;

    /// <summary>The buffer's first step, b ← g: <see cref="Update"/>'s loop then.</summary>
    private readonly struct FirstStep;

    /// <summary>Every later step, b ← momentum · b + (1 − dampening) · g: <see cref="Update"/>'s loop then.</summary>
    private readonly struct LaterStep;
}
