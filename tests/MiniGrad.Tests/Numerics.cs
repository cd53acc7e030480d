using System.Numerics;

namespace MiniGrad.Tests;

/// <summary>Comparisons the tests share.</summary>
internal static class Numerics
{
    /// <summary>Asserts |actual − expected| ≤ tolerance · max(1, |expected|), with both infinite of one sign, or both NaN, counting as equal.</summary>
    public static void Close<T>(T expected, T actual, double tolerance, string? what = null) where T : IFloatingPointIeee754<T>
    {
        double e = double.CreateTruncating(expected), a = double.CreateTruncating(actual);
        if (e.Equals(a)) return; // covers ±∞ and NaN
        double allowed = tolerance * Math.Max(1, Math.Abs(e));
        Assert.True(Math.Abs(a - e) <= allowed, $"{what}: expected {e:R}, got {a:R} (|error| {Math.Abs(a - e):G3} > {allowed:G3})");
    }

    /// <summary>Asserts two tensors have the same shape and elements within tolerance.</summary>
    public static void Close<T>(Tensor<T> expected, Tensor<T> actual, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        Assert.Equal(expected.Shape, actual.Shape);
        var (e, a) = (expected.ToArray(), actual.ToArray());
        for (int r = 0; r < expected.Rows; r++)
            for (int c = 0; c < expected.Cols; c++)
                Close(e[r, c], a[r, c], tolerance, $"[{r}, {c}]");
    }

    /// <summary>Asserts a GradCheck passed, printing its report otherwise.</summary>
    public static void Passes(GradCheckResult result)
    {
        Assert.True(result.Passed, result.ToString());
        Assert.True(result.Checked > 0, "GradCheck checked no elements.");
    }

    /// <summary>Every element finite.</summary>
    public static bool AllFinite<T>(Tensor<T> tensor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var value in tensor.AsSpan()) if (!T.IsFinite(value)) return false;
        return true;
    }
}
