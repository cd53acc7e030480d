using System.Globalization;

namespace MiniGrad.Kernels;

/// <summary>
/// The checks every layer of the library makes on numeric arguments (hyperparameters, bounds), each throwing an
/// <see cref="ArgumentOutOfRangeException"/> whose message names the parameter and the value, written in the invariant
/// culture so that it reads the same on every machine ("slope must be a finite number; got NaN").
/// </summary>
internal static class Require
{
    /// <summary><paramref name="value"/>, if it is finite.</summary>
    internal static double Finite(double value, string name) =>
        double.IsFinite(value) ? value : throw OutOfRange(name, value, "must be a finite number");

    /// <summary><paramref name="value"/>, if it is finite and &gt; 0.</summary>
    internal static double Positive(double value, string name) =>
        double.IsFinite(value) && value > 0 ? value : throw OutOfRange(name, value, "must be a finite number > 0");

    /// <summary><paramref name="value"/>, if it is finite and ≥ 0.</summary>
    internal static double NonNegative(double value, string name) =>
        double.IsFinite(value) && value >= 0 ? value : throw OutOfRange(name, value, "must be a finite number ≥ 0");

    /// <summary><paramref name="value"/>, if 0 ≤ value &lt; 1.</summary>
    internal static double UnitInterval(double value, string name) =>
        value >= 0 && value < 1 ? value : throw OutOfRange(name, value, "must be in [0, 1)");

    /// <summary>An <see cref="ArgumentOutOfRangeException"/> saying that <paramref name="name"/> <paramref name="rule"/> and what it was.</summary>
    internal static ArgumentOutOfRangeException OutOfRange(string name, double value, string rule) =>
        new(name, string.Create(CultureInfo.InvariantCulture, $"{name} {rule}; got {value}."));
}
