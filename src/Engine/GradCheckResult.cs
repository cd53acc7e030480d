using System.Globalization;

namespace MiniGrad;

/// <summary>
/// The outcome of <see cref="GradCheck.Check(Func{Tensor{double}}, Tensor{double}[])"/>: whether every element
/// passed, and the worst element (largest error relative to its tolerance) with where it is.
/// </summary>
/// <param name="Passed">Whether every element's |analytic − numeric| was within atol + rtol·|numeric|.</param>
/// <param name="Input">Index of the input holding the worst element (−1 if there were no elements).</param>
/// <param name="Row">Row of the worst element.</param>
/// <param name="Col">Column of the worst element.</param>
/// <param name="Analytic">The tape's gradient there.</param>
/// <param name="Numeric">The central difference there.</param>
/// <param name="Tolerance">atol + rtol·|numeric| there.</param>
/// <param name="Checked">How many elements were checked.</param>
public sealed record GradCheckResult(bool Passed, int Input, int Row, int Col, double Analytic, double Numeric, double Tolerance, int Checked)
{
    /// <summary>|analytic − numeric| at the worst element.</summary>
    public double Error => Math.Abs(Analytic - Numeric);

    /// <summary>A one-line report, e.g. <c>GradCheck failed: input 1 [2, 0]: analytic 0.5 vs numeric 0.25 ...</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"GradCheck {(Passed ? "passed" : "failed")} over {Checked} elements; worst: input {Input} [{Row}, {Col}]: " +
        $"analytic {Analytic:G10} vs numeric {Numeric:G10} (|error| {Error:G3}, tolerance {Tolerance:G3})");
}
