using System.Numerics;

namespace MiniGrad;

/// <summary>
/// The backward step of a recorded op y = op(inputs): it reads dL/dy (<c>y.GradSpan</c>) and adds (<c>+=</c>) each
/// input's share into that input's <c>GradAccumulator()</c>, skipping inputs that do not require grad. Steps are
/// static lambdas, so recording one allocates nothing.
/// </summary>
internal delegate void BackwardStep<T>(Tensor<T> y, ReadOnlySpan<Tensor<T>> inputs) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>A backward step that also reads a value its op saved in forward (a scalar, the labels, a buffer of probabilities).</summary>
internal delegate void BackwardStep<T, TSaved>(Tensor<T> y, ReadOnlySpan<Tensor<T>> inputs, TSaved saved) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Called with dL/d(tensor) once the gradient of a recorded tensor is complete, just before its own backward step runs
/// (like PyTorch's <c>Tensor.register_hook</c>); the gradient is read-only. Diagnostics use it.
/// </summary>
internal delegate void GradientHook<T>(ReadOnlySpan<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// One recorded op as the tape keeps it, whatever its element type: its name, the layer it ran in, and what running and
/// releasing it take. The tape holds these in recording order, which is a valid topological order, so backward is a
/// reverse walk with no graph search. A released node keeps its place in the recorder, and the op recorded at the same
/// position of the next tape refills it, so a training step that repeats the last one allocates no nodes.
/// </summary>
internal abstract class TapeNode
{
    /// <summary>The op's name, e.g. <c>Linear</c> or <c>ReLU</c>; for messages and diagnostics.</summary>
    internal string Op = "";

    /// <summary>The layer the op ran in, e.g. <c>layer 2 (Dense(8 → 8))</c>; named only while a tape observer asks for it.</summary>
    internal string? Scope;

    /// <summary>Runs the backward step if a gradient has reached the op's output.</summary>
    internal abstract void Backward();

    /// <summary>After backward: returns the output's gradient to the pool (an intermediate's gradient is not kept).</summary>
    internal abstract void ReleaseGradient();

    /// <summary>When the tape closes: returns the output and this node to their pools.</summary>
    internal abstract void Release();

    /// <summary>When the tape closes: returns this node to its pool but keeps the output readable; returns the output, for later.</summary>
    internal abstract IReleasable ReleaseKeepingOutput();

    /// <summary>Tells <paramref name="observer"/> that this node's backward step has run.</summary>
    internal abstract void NotifyStepped(ITapeObserver observer);
}

/// <summary>A recorded op on tensors of T: its output and its inputs, as one list.</summary>
internal abstract class Node<T> : TapeNode where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The most inputs an op may have (Linear has three: x, W and b).</summary>
    internal const int MaxInputs = 4;

    private readonly Tensor<T>[] inputs = new Tensor<T>[MaxInputs];
    private int count;

    /// <summary>The op's result, whose gradient the backward step reads.</summary>
    internal Tensor<T> Output = null!;

    /// <summary>Called with the output's complete gradient before the backward step runs; set by diagnostics.</summary>
    internal GradientHook<T>? OnGradient;

    /// <summary>The op's inputs, in the order the op took them.</summary>
    internal ReadOnlySpan<Tensor<T>> Inputs => inputs.AsSpan(0, count);

    private protected void Set(string op, Tensor<T> output, ReadOnlySpan<Tensor<T>> inputs)
    {
        if (inputs.Length > MaxInputs) throw new ArgumentException($"{op}: an op can record at most {MaxInputs} inputs.", nameof(inputs));
        Op = op;
        Output = output;
        for (int i = 0; i < inputs.Length; i++) this.inputs[i] = inputs[i]; // a loop: at most four, cheaper than a bulk copy
        count = inputs.Length;
    }

    internal sealed override void Backward()
    {
        if (!Output.HasGradient) return;
        OnGradient?.Invoke(Output.GradSpan);
        Step();
    }

    /// <summary>The op's backward step.</summary>
    private protected abstract void Step();

    internal sealed override void ReleaseGradient() => Output.ReleaseGradient();

    internal sealed override void Release() => Clear().Return();

    internal sealed override IReleasable ReleaseKeepingOutput() => Clear();

    /// <summary>Empties the node for the next tape and returns the output it held.</summary>
    private Tensor<T> Clear()
    {
        var output = Output;
        output.ReleaseGradient();
        output.Node = null;
        Output = null!;
        for (int i = 0; i < count; i++) inputs[i] = null!;
        count = 0;
        Scope = null;
        OnGradient = null;
        ClearStep();
        return output;
    }

    /// <summary>Lets go of the backward step and the saved value.</summary>
    private protected abstract void ClearStep();

    internal sealed override void NotifyStepped(ITapeObserver observer) => observer.Stepped(this);
}

/// <summary>A recorded op whose backward step needs only its output and inputs.</summary>
internal sealed class StepNode<T> : Node<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private BackwardStep<T> step = null!;

    internal void Set(string op, Tensor<T> output, ReadOnlySpan<Tensor<T>> inputs, BackwardStep<T> step)
    {
        Set(op, output, inputs);
        this.step = step;
    }

    private protected override void Step() => step(Output, Inputs);

    private protected override void ClearStep() => step = null!;
}

/// <summary>A recorded op whose backward step also reads a value of type <typeparamref name="TSaved"/> saved in forward.</summary>
internal sealed class StepNode<T, TSaved> : Node<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private BackwardStep<T, TSaved> step = null!;
    private TSaved saved = default!;

    internal void Set(string op, Tensor<T> output, ReadOnlySpan<Tensor<T>> inputs, TSaved saved, BackwardStep<T, TSaved> step)
    {
        Set(op, output, inputs);
        (this.saved, this.step) = (saved, step);
    }

    private protected override void Step() => step(Output, Inputs, saved);

    private protected override void ClearStep() => (step, saved) = (null!, default!);
}

/// <summary>
/// Watches tapes as they record and replay: the hook diagnostics (anomaly mode) attach to, per thread, through
/// <see cref="TapeRecorder.Observer"/>. The engine calls it and knows nothing else of diagnostics.
/// </summary>
internal interface ITapeObserver
{
    /// <summary>An op has just computed and recorded its output.</summary>
    void Recorded<T>(Node<T> node) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Backward is about to replay from <paramref name="root"/>, whose gradient has just been seeded.</summary>
    void Seeded<T>(Tensor<T> root) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>An op's backward step has just added its shares into its inputs' gradients.</summary>
    void Stepped<T>(Node<T> node) where T : unmanaged, IFloatingPointIeee754<T>;
}
