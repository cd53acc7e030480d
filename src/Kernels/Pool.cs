using System.Runtime.InteropServices;

namespace MiniGrad.Kernels;

/// <summary>Something a <see cref="Pool{TItem}"/> keeps: a buffer of a fixed length that can be lent out again.</summary>
internal interface IPoolable
{
    /// <summary>The number of elements; the pool keeps items of equal length together.</summary>
    int Length { get; }

    /// <summary>Whether the item is in the pool now (set by <see cref="Pool{TItem}.Return"/>, cleared when it is lent).</summary>
    bool IsReleased { get; set; }
}

/// <summary>
/// This thread's free items of one type, by length: where tape intermediates, their gradients and scratch buffers come
/// from and where the tape returns them. A training step that repeats the shapes of the last one finds every buffer
/// here, so once warm it allocates nothing.
/// </summary>
internal static class Pool<TItem> where TItem : class, IPoolable
{
    [ThreadStatic] private static Dictionary<int, Stack<TItem>>? free;

    /// <summary>A free item of <paramref name="length"/> elements (its contents are whatever its last user left), or null when there is none.</summary>
    internal static TItem? TryRent(int length)
    {
        if (free is null || !free.TryGetValue(length, out var stack) || !stack.TryPop(out var item)) return null;
        item.IsReleased = false;
        return item;
    }

    /// <summary>Takes an item back; its owner must not use it again.</summary>
    /// <exception cref="InvalidOperationException">The item is already in the pool.</exception>
    internal static void Return(TItem item)
    {
        if (item.IsReleased) throw new InvalidOperationException("Internal error: an item was returned to the pool twice.");
        item.IsReleased = true;
        free ??= [];
        ref var stack = ref CollectionsMarshal.GetValueRefOrAddDefault(free, item.Length, out _);
        (stack ??= new Stack<TItem>()).Push(item);
    }
}
