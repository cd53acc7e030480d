namespace MiniGrad.Tests;

/// <summary>The repository's data folder, copied beside the test assembly.</summary>
internal static class TestData
{
    /// <summary>The path of <paramref name="file"/> (e.g. <c>mnist/train-labels-idx1-ubyte.gz</c>) in the copied data folder.</summary>
    public static string Path(string file) => System.IO.Path.Combine(AppContext.BaseDirectory, "data", file);
}
