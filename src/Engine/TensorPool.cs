using System.Numerics;
using System.Runtime.InteropServices;

namespace MiniGrad;

/// <summary>
/// This thread's free tensors, by element count: where tape intermediates, their gradients and scratch
/// buffers come from, and where the tape returns them. A training step that repeats the shapes of the last
/// one finds every buffer here, so once warm it allocates nothing.
/// </summary>
internal static class TensorPool<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    [ThreadStatic] private static Dictionary<int, Stack<Tensor<T>>>? free;
    [ThreadStatic] private static long created;

    /// <summary>How many tensors this thread's pool has had to create (rather than reuse) so far.</summary>
    internal static long Created => created;

    /// <summary>A pooled rows × cols tensor; its contents are whatever its last user left.</summary>
    internal static Tensor<T> Rent(int rows, int cols)
    {
        free ??= [];
        if (free.TryGetValue(rows * cols, out var stack) && stack.TryPop(out var tensor))
        {
            tensor.Reuse(rows, cols);
            return tensor;
        }
        created++;
        return new Tensor<T>(rows, cols) { IsPooled = true };
    }

    /// <summary>A pooled rows × cols tensor of zeros.</summary>
    internal static Tensor<T> RentZeroed(int rows, int cols)
    {
        var tensor = Rent(rows, cols);
        tensor.Span.Clear();
        return tensor;
    }

    /// <summary>Takes back a pooled tensor; from now on reading it through the public API throws.</summary>
    internal static void Return(Tensor<T> tensor)
    {
        if (!tensor.IsPooled || tensor.IsReleased)
            throw new InvalidOperationException("Internal error: a tensor was returned to the pool twice, or was never the pool's.");
        tensor.IsReleased = true;
        free ??= [];
        ref var stack = ref CollectionsMarshal.GetValueRefOrAddDefault(free, tensor.Length, out _);
        (stack ??= new Stack<Tensor<T>>()).Push(tensor);
    }
}
