using System.Numerics;

namespace MiniGrad;

/// <summary>
/// One backward step, recorded by an op for its result <paramref name="output"/>: it reads
/// <c>output.GradSpan</c> (dL/d output) and adds (<c>+=</c>) each input's share into that input's
/// <c>GradAccumulator()</c>. Steps are static lambdas, so recording one allocates nothing.
/// </summary>
internal delegate void BackwardStep<T>(Tensor<T> output) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>
/// Called with dL/d(tensor) once the gradient of a recorded tensor is complete, that is just before its own
/// backward step runs (like PyTorch's <c>Tensor.register_hook</c>). Diagnostics use it; the gradient is read-only.
/// </summary>
internal delegate void GradientHook<T>(ReadOnlySpan<T> gradient) where T : unmanaged, IFloatingPointIeee754<T>;

/// <summary>What the tape needs of a recorded result, whatever its element type.</summary>
internal interface ITapeNode
{
    /// <summary>Runs the recorded backward step if a gradient has reached this node.</summary>
    void Backward();

    /// <summary>Returns the node's memory (value, gradient, saved buffers) to the pool.</summary>
    void Release();

    /// <summary>Returns only the gradient and saved buffers; the value stays readable (used for the loss).</summary>
    void ReleaseGradient();

    /// <summary>In anomaly mode, after <see cref="Backward"/>: throws if the step left a NaN or ±Inf in an input's gradient.</summary>
    void CheckInputGradients();
}

public sealed partial class Tensor<T> : ITapeNode
{
    // How this tensor was made, set only when a tape recorded the op that produced it.
    internal Tensor<T>? Left;
    internal Tensor<T>? Right;
    internal BackwardStep<T>? Step;
    /// <summary>Whatever else the backward step needs: the activation, the labels, a layer.</summary>
    internal object? Context;
    /// <summary>A pooled buffer computed in forward for backward's use (e.g. softmax probabilities).</summary>
    internal Tensor<T>? Saved;
    /// <summary>A scalar operand or constant the backward step needs.</summary>
    internal T Scalar;
    /// <summary>The name of the op that made this tensor, e.g. <c>Linear</c> or <c>ReLU</c>; for messages and diagnostics.</summary>
    internal string? Op;
    /// <summary>The layer the op ran in, e.g. <c>layer 2 (Dense(8 → 8))</c>; recorded only in anomaly mode.</summary>
    internal string? Layer;
    /// <summary>Called with this tensor's complete gradient before its backward step runs; set by diagnostics.</summary>
    internal GradientHook<T>? OnGradient;

    /// <summary>Whether <c>grad</c> is the caller's upstream gradient, lent by <see cref="SeedGradient"/> (read-only).</summary>
    private bool gradIsBorrowed;

    internal bool IsRecorded => Step is not null;

    /// <summary>The first input of the op that made this tensor; only called from its backward step.</summary>
    internal Tensor<T> Input => Left!;

    /// <summary>The second input of the op that made this tensor; only called from its backward step.</summary>
    internal Tensor<T> Other => Right!;

    /// <summary>
    /// A new tensor for the result of an op on <paramref name="a"/> (and <paramref name="b"/>). When a tape is
    /// recording and an input requires grad, the result comes from the pool and requires grad; otherwise it is
    /// a plain tensor that nothing tracks.
    /// </summary>
    internal static Tensor<T> Result(int rows, int cols, Tensor<T> a, Tensor<T>? b = null)
    {
        if (TapeRecorder.IsRecording && (a.requiresGrad || (b is not null && b.requiresGrad)))
        {
            var tracked = TensorPool<T>.Rent(rows, cols);
            tracked.requiresGrad = true;
            return tracked;
        }
        return new Tensor<T>(rows, cols);
    }

    /// <summary>
    /// Records, for a result made by <see cref="Result"/>, the op's name, its inputs and the backward step, then
    /// returns the result. Does nothing for an untracked result. In anomaly mode it also checks the result and
    /// throws <see cref="AnomalyException"/> if the op produced a NaN or ±Inf.
    /// </summary>
    internal Tensor<T> Record(string op, Tensor<T> a, Tensor<T>? b, BackwardStep<T> step, object? context = null, T scalar = default)
    {
        if (!requiresGrad) return this;
        Op = op;
        Left = a;
        Right = b;
        Step = step;
        Context = context;
        Scalar = scalar;
        TapeRecorder.Add(this);
        if (Anomaly.IsDetecting) Anomaly.CheckForward(this);
        return this;
    }

    /// <summary>The inputs a recorded op may pass gradients to: its two operands and a tensor in its context (Linear's bias).</summary>
    internal IEnumerable<Tensor<T>> RecordedInputs()
    {
        if (Left is not null) yield return Left;
        if (Right is not null && !ReferenceEquals(Right, Left)) yield return Right;
        if (Context is Tensor<T> extra && !ReferenceEquals(extra, Left) && !ReferenceEquals(extra, Right)) yield return extra;
    }

    /// <summary>
    /// The gradient buffer a backward step adds into. A leaf gets a buffer of its own on first use, which stays
    /// (and keeps accumulating) until the user clears it; an intermediate gets a zeroed one from the pool that
    /// the tape takes back when it finishes.
    /// </summary>
    internal Span<T> GradAccumulator() => GradAccumulatorArray();

    /// <summary><see cref="GradAccumulator"/> as the backing array, for kernels that split work over threads.</summary>
    internal T[] GradAccumulatorArray()
    {
        if (gradIsBorrowed)
        {
            var own = TensorPool<T>.Rent(Rows, Cols);
            grad!.values.CopyTo(own.values);
            grad = own;
            gradIsBorrowed = false;
        }
        grad ??= IsPooled ? TensorPool<T>.RentZeroed(Rows, Cols) : new Tensor<T>(Rows, Cols);
        return grad.values;
    }

    /// <summary>
    /// Seeds backward with an upstream gradient. An intermediate (the usual output) borrows the caller's tensor
    /// instead of copying it: only this node's own backward step reads it, and nothing writes it (a step that
    /// would, through <see cref="GradAccumulator"/>, first takes a copy of its own). A leaf adds it to its grad.
    /// </summary>
    internal void SeedGradient(Tensor<T> upstream)
    {
        if (grad is null && IsPooled)
        {
            grad = upstream;
            gradIsBorrowed = true;
        }
        else
        {
            var gradient = GradAccumulator();
            System.Numerics.Tensors.TensorPrimitives.Add(gradient, upstream.values, gradient);
        }
    }

    /// <summary>dL/d(this tensor) as it stands; only called on tensors a gradient has reached.</summary>
    internal Span<T> GradSpan => grad!.values;

    /// <summary><see cref="GradSpan"/> as the backing array.</summary>
    internal T[] GradArray => grad!.values;

    void ITapeNode.Backward()
    {
        if (grad is null) return;
        OnGradient?.Invoke(grad.values);
        Step!(this);
    }

    void ITapeNode.CheckInputGradients()
    {
        if (grad is not null) Anomaly.CheckBackward(this);
    }

    void ITapeNode.ReleaseGradient()
    {
        if (grad is not null)
        {
            if (!gradIsBorrowed) TensorPool<T>.Return(grad);
            grad = null;
            gradIsBorrowed = false;
        }
        if (Saved is not null)
        {
            TensorPool<T>.Return(Saved);
            Saved = null;
        }
        Left = Right = null;
        Step = null;
        Context = null;
        Op = Layer = null;
        OnGradient = null;
    }

    void ITapeNode.Release()
    {
        ((ITapeNode)this).ReleaseGradient();
        requiresGrad = false;
        TensorPool<T>.Return(this);
    }
}
