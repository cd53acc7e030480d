using System.Numerics;
using System.Numerics.Tensors;

namespace MiniGrad;

// How an op's result gets onto the tape, and how gradients are stored. An op does three things:
//
//     ReadOnlySpan<Tensor<T>> inputs = [a, b];
//     var y = Result(rows, cols, inputs);                  // pooled and tracked if a tape records and an input requires grad
//     ...compute y...
//     return Record("Op", y, inputs, static (y, inputs) => // the backward step, right below the forward it undoes
//     {
//         if (inputs[0].RequiresGrad) ...inputs[0].GradAccumulator() += share of y.GradSpan...
//     });
public sealed partial class Tensor<T>
{
    /// <summary>The recorded op that made this tensor; null for leaves and for results no tape tracks.</summary>
    internal Node<T>? Node;

    private Tensor<T>? grad;

    /// <summary>Whether <c>grad</c> is the caller's upstream gradient, lent by <see cref="SeedGradient"/> (read-only).</summary>
    private bool gradIsBorrowed;

    /// <summary>
    /// Whether <c>grad</c>'s memory is stale and stands for zeros: set by <see cref="ZeroGrad"/>, which so costs no pass
    /// over memory. The first backward step to reach the tensor then writes its share instead of adding it
    /// (<see cref="GradTarget"/>), and a reader that comes first gets the zeros written then (<see cref="MaterializeGrad"/>).
    /// </summary>
    private bool gradIsZero;

    /// <summary>
    /// Whether untracked results come from this thread's pool rather than from the heap: set by
    /// <see cref="Layers.Sequential{T}"/> while a forward pass without a tape runs layers whose outputs only the next layer
    /// reads, each of which it gives back once that layer is done with it.
    /// </summary>
    [ThreadStatic] internal static bool PoolsUntrackedResults;

    /// <summary>
    /// A new tensor for the result of an op on <paramref name="inputs"/>. When a tape is recording and an input requires
    /// grad, the result comes from the pool and requires grad; otherwise it is a plain tensor that nothing tracks (pooled
    /// while <see cref="PoolsUntrackedResults"/> is set).
    /// </summary>
    internal static Tensor<T> Result(int rows, int cols, params ReadOnlySpan<Tensor<T>> inputs)
    {
        if (TapeRecorder.IsRecording)
            foreach (var input in inputs)
                if (input.requiresGrad)
                {
                    var tracked = Rent(rows, cols);
                    tracked.requiresGrad = true;
                    return tracked;
                }
        return PoolsUntrackedResults ? Rent(rows, cols) : new Tensor<T>(rows, cols);
    }

    /// <summary>
    /// A buffer of values an op computes in forward for its backward step (softmax probabilities, random slopes): pooled
    /// and given back by the tape once backward has run when <paramref name="result"/> is tracked, a plain tensor otherwise.
    /// </summary>
    internal static Tensor<T> Saved(Tensor<T> result, int rows, int cols)
    {
        if (!result.requiresGrad) return new Tensor<T>(rows, cols);
        var buffer = Rent(rows, cols);
        TapeRecorder.Current.KeepUntilBackward(buffer);
        return buffer;
    }

    /// <summary>The recorder of the open tape that has recorded this parameter, while that tape is open; null otherwise.</summary>
    private TapeRecorder? trainer;

    ClaimResult IClaimable.TryClaim(TapeRecorder recorder)
    {
        var holder = Interlocked.CompareExchange(ref trainer, recorder, null);
        return holder is null ? ClaimResult.Claimed : ReferenceEquals(holder, recorder) ? ClaimResult.AlreadyMine : ClaimResult.Taken;
    }

    void IClaimable.Unclaim(TapeRecorder recorder) => Interlocked.CompareExchange(ref trainer, null, recorder);

    /// <summary>Claims every parameter among <paramref name="inputs"/> for this thread's open tape (see <see cref="TapeRecorder.Claim"/>).</summary>
    private static void ClaimParameters(TapeRecorder recorder, ReadOnlySpan<Tensor<T>> inputs)
    {
        foreach (var input in inputs)
            if (input.requiresGrad && !input.IsPooled && !ReferenceEquals(input.trainer, recorder)) recorder.Claim(input);
    }

    /// <summary>Records the op that made <paramref name="y"/> (from <see cref="Result"/>) with its inputs and backward step; returns y.</summary>
    internal static Tensor<T> Record(string op, Tensor<T> y, ReadOnlySpan<Tensor<T>> inputs, BackwardStep<T> step)
    {
        if (!y.requiresGrad) return y;
        var recorder = TapeRecorder.Current;
        ClaimParameters(recorder, inputs);
        var node = recorder.Next<StepNode<T>>();
        node.Set(op, y, inputs, step);
        y.Node = node;
        recorder.Recorded(node);
        return y;
    }

    /// <summary>Records the op that made <paramref name="y"/>, with a value its backward step reads; returns y.</summary>
    internal static Tensor<T> Record<TSaved>(string op, Tensor<T> y, ReadOnlySpan<Tensor<T>> inputs, TSaved saved, BackwardStep<T, TSaved> step)
    {
        if (!y.requiresGrad) return y;
        var recorder = TapeRecorder.Current;
        ClaimParameters(recorder, inputs);
        var node = recorder.Next<StepNode<T, TSaved>>();
        node.Set(op, y, inputs, saved, step);
        y.Node = node;
        recorder.Recorded(node);
        return y;
    }

    // ---- Gradients ------------------------------------------------------------------------------------------

    /// <summary>Whether a backward pass has reached this tensor (it has a gradient buffer).</summary>
    internal bool HasGradient => grad is not null;

    /// <summary>
    /// The gradient buffer a backward step adds into. A leaf gets a buffer of its own on first use, which stays (and keeps
    /// accumulating) until the user clears it; an intermediate gets a zeroed one from the pool that the tape takes back.
    /// </summary>
    internal Span<T> GradAccumulator() => GradAccumulatorArray();

    /// <summary><see cref="GradAccumulator"/> as the backing array, for kernels that split work over threads.</summary>
    internal T[] GradAccumulatorArray()
    {
        var target = GradTarget(out bool accumulate);
        if (!accumulate) target.AsSpan().Clear();
        return target;
    }

    /// <summary>
    /// The gradient buffer for a backward step that gives a share for every element, and whether to add the share
    /// (<paramref name="accumulate"/> true) or write it, because nothing has been written since the buffer was made or
    /// zeroed. Writing saves clearing the buffer and reading it back: the first gradient into an intermediate or into
    /// a parameter after <see cref="ZeroGrad"/> costs one pass, not three. The caller must write every element.
    /// </summary>
    internal T[] GradTarget(out bool accumulate)
    {
        if (gradIsBorrowed)
        {
            var own = Rent(Rows, Cols);
            grad!.values.CopyTo(own.values);
            grad = own;
            gradIsBorrowed = false;
            accumulate = true;
            return grad.values;
        }
        if (grad is null)
        {
            grad = IsPooled ? Rent(Rows, Cols) : new Tensor<T>(Rows, Cols);
            accumulate = false;
            return grad.values;
        }
        accumulate = !gradIsZero;
        gradIsZero = false;
        return grad.values;
    }

    /// <summary>The gradient tensor with any pending zeros (see <c>gradIsZero</c>) written, or null where there is none.</summary>
    private Tensor<T>? MaterializeGrad()
    {
        if (gradIsZero)
        {
            grad!.values.AsSpan().Clear();
            gradIsZero = false;
        }
        return grad;
    }

    /// <summary>
    /// Seeds backward with an upstream gradient. An intermediate (the usual output) borrows the caller's tensor instead of
    /// copying it: only this node's own backward step reads it, and nothing writes it (a step that would, through
    /// <see cref="GradAccumulator"/>, first takes a copy of its own). A leaf adds it to its grad.
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
            var gradient = GradTarget(out bool accumulate);
            if (accumulate) TensorPrimitives.Add(gradient, upstream.values, gradient);
            else upstream.values.CopyTo(gradient, 0);
        }
    }

    /// <summary>dL/d(this tensor) as it stands; only read on tensors a gradient has reached.</summary>
    internal Span<T> GradSpan => MaterializeGrad()!.values;

    /// <summary><see cref="GradSpan"/> as the backing array.</summary>
    internal T[] GradArray => MaterializeGrad()!.values;

    void IReleasable.Release() => Return();

    /// <summary>Gives an intermediate's gradient back to the pool (a borrowed one back to its owner).</summary>
    internal void ReleaseGradient()
    {
        if (grad is null) return;
        if (!gradIsBorrowed) grad.Return();
        grad = null;
        gradIsBorrowed = gradIsZero = false;
    }
}
