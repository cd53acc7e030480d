namespace MiniGrad;

/// <summary>
/// A cap on the tensor elements this thread may allocate while it is set, for building a model from a file: the
/// architecture a file describes may not allocate more than the file itself could fill, so a small hostile file cannot
/// ask for gigabytes (<c>Dense(100000 → 100000)</c> in 1 KB) before its weights are checked.
/// </summary>
internal static class TensorBudget
{
    [ThreadStatic]
    private static long remaining;

    [ThreadStatic]
    private static bool limited;

    /// <summary>Caps this thread's tensor allocations at <paramref name="elements"/> until the returned scope is disposed.</summary>
    internal static Scope Limit(long elements)
    {
        var scope = new Scope(limited, remaining);
        (limited, remaining) = (true, elements);
        return scope;
    }

    /// <summary>Takes <paramref name="elements"/> from the cap, if one is set.</summary>
    /// <exception cref="InvalidDataException">The cap would be exceeded.</exception>
    internal static void Take(long elements)
    {
        if (!limited) return;
        if (elements > remaining)
            throw new InvalidDataException($"The saved architecture needs more than the {remaining} values the file can still hold; it does not describe this file.");
        remaining -= elements;
    }

    /// <summary>Restores the cap that was in force before <see cref="Limit"/>.</summary>
    internal readonly struct Scope(bool wasLimited, long hadRemaining) : IDisposable
    {
        public void Dispose() => (limited, remaining) = (wasLimited, hadRemaining);
    }
}
