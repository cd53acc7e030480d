using MiniGrad.Activations;
using MiniGrad.Layers;

namespace MiniGrad.Samples.Activations;

/// <summary>An activation's curve f(x) and f'(x) on a grid, as the engine computes them (forward and backward on a tape).</summary>
/// <param name="X">The grid.</param>
/// <param name="F">f at each grid point.</param>
/// <param name="Derivative">f' at each grid point.</param>
public sealed record Curve(double[] X, double[] F, double[] Derivative);

/// <summary>Properties of an activation measured from its curve: what the material claims, checked against the code.</summary>
/// <param name="Name">The activation's name.</param>
/// <param name="Lower">The smallest output (−∞ when f keeps falling beyond the grid).</param>
/// <param name="LowerIncluded">Whether f reaches <paramref name="Lower"/> at a finite x (a closed end) rather than only approaching it.</param>
/// <param name="Upper">The largest output (+∞ when f keeps rising beyond the grid).</param>
/// <param name="UpperIncluded">Whether f reaches <paramref name="Upper"/> at a finite x.</param>
/// <param name="MeanOutput">E f(X) for X ~ N(0, 1): 0 for a zero-centred activation.</param>
/// <param name="MaxDerivative">max |f'(x)| over the grid.</param>
/// <param name="MaxAt">Where it is attained.</param>
/// <param name="Vanishes">Where |f'(x)| &lt; 1e-3 on the grid.</param>
public sealed record Properties(string Name, double Lower, bool LowerIncluded, double Upper, bool UpperIncluded, double MeanOutput, double MaxDerivative, string MaxAt, string Vanishes)
{
    /// <summary>Whether the mean output for standard-normal inputs is 0 (within 0.01), as <see cref="ActivationInfo.ZeroCentred"/> means it.</summary>
    public bool ZeroCentred => Math.Abs(MeanOutput) < 0.01;
}

/// <summary>Measures activations by running them: a batch of grid points forward on a tape, then backward with dL/dy = 1.</summary>
public static class Measurement
{
    /// <summary>The grid half-width and step: x from −10 to 10 by 0.01.</summary>
    public const double Reach = 10, Step = 0.01;

    /// <summary>|f'| below this counts as vanished (the monitor's saturation threshold).</summary>
    public const double Vanished = 1e-3;

    /// <summary>
    /// f and f' at each x, through the engine. A row-wise activation (softmax) gets rows (x, 0) and reports its first output
    /// and ∂y₀/∂x₀; a Maxout layer gets one input feature and has one output.
    /// </summary>
    public static Curve Run(Module<double> activation, double[] xs)
    {
        int width = activation is RowwiseActivation<double> ? 2 : 1;
        var x = Tensor<double>.Zeros(xs.Length, width, requiresGrad: true);
        for (int i = 0; i < xs.Length; i++) x[i, 0] = xs[i];
        double[] f = new double[xs.Length];
        using (var tape = new Tape())
        {
            var y = activation.Forward(x);
            var upstream = Tensor<double>.Zeros(y.Rows, y.Cols);
            for (int i = 0; i < xs.Length; i++)
            {
                f[i] = y[i, 0];
                upstream[i, 0] = 1; // L = Σᵢ yᵢ₀, so dL/dxᵢ₀ = ∂yᵢ₀/∂xᵢ₀
            }
            tape.Backward(y, upstream);
        }
        var derivative = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++) derivative[i] = x.Grad![i, 0];
        return new Curve(xs, f, derivative);
    }

    /// <summary>The grid from −<see cref="Reach"/> to <see cref="Reach"/>.</summary>
    public static double[] Grid() => Enumerable.Range(0, (int)Math.Round(2 * Reach / Step) + 1).Select(i => Math.Round(-Reach + i * Step, 10)).ToArray();

    /// <summary>
    /// Measures <paramref name="activation"/>: range, mean output under N(0, 1), largest |f'| and where, and where f' vanishes.
    /// </summary>
    /// <remarks>
    /// An end of the range is the extreme over the grid and the far points x = ±1000. It is <em>included</em> (a closed end,
    /// as ReLU's 0 or GELU's minimum) when the grid itself attains it; when only the far points reach it (sigmoid's 0 and 1,
    /// where e^−1000 underflows to 0 in double) f approaches it without reaching it at any finite x, and the end is open.
    /// Within the grid (|x| ≤ 10) every asymptote here stays at least 4e−9 away from its bound, far above the 1e−12 used
    /// to tell them apart.
    /// </remarks>
    public static Properties Measure(string name, Module<double> activation)
    {
        var curve = Run(activation, Grid());
        var far = Run(activation, [-1000, -Reach, Reach, 1000]).F;
        double gridMin = curve.F.Min(), gridMax = curve.F.Max();
        double lower = far[0] < far[1] - 1 ? double.NegativeInfinity : Math.Min(gridMin, far[0]);
        double upper = far[3] > far[2] + 1 ? double.PositiveInfinity : Math.Max(gridMax, far[3]);
        bool lowerIncluded = double.IsFinite(lower) && gridMin - lower <= 1e-12 * Math.Max(1, Math.Abs(lower));
        bool upperIncluded = double.IsFinite(upper) && upper - gridMax <= 1e-12 * Math.Max(1, Math.Abs(upper));

        // E f(X) for X ~ N(0, 1), by the trapezoid rule on the grid (the normal density beyond ±10 is below 1e-22).
        double mean = 0;
        for (int i = 1; i < curve.X.Length; i++)
            mean += 0.5 * Step * (curve.F[i] * Density(curve.X[i]) + curve.F[i - 1] * Density(curve.X[i - 1]));

        var magnitude = curve.Derivative.Select(Math.Abs).ToArray();
        double max = magnitude.Max();
        return new Properties(name, lower, lowerIncluded, upper, upperIncluded, mean, max, Where(curve.X, magnitude.Select(m => m >= max - 1e-9).ToArray(), "nowhere"),
            Where(curve.X, magnitude.Select(m => m < Vanished).ToArray(), "never"));
    }

    private static double Density(double x) => Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI);

    /// <summary>
    /// The grid points where <paramref name="mask"/> holds, as runs: "x = a", "x ≤ a" (from the left end), "x ≥ b" (to the
    /// right end), "a ≤ x ≤ b", and "x → ±∞" for a lone point at an end of the grid.
    /// </summary>
    private static string Where(double[] x, bool[] mask, string none)
    {
        var runs = new List<string>();
        for (int i = 0; i < x.Length; i++)
        {
            if (!mask[i]) continue;
            int start = i;
            while (i + 1 < x.Length && mask[i + 1]) i++;
            bool fromLeft = start == 0, toRight = i == x.Length - 1;
            runs.Add((fromLeft, toRight) switch
            {
                (true, true) => "everywhere",
                (true, false) when start == i => "x → −∞", // only at the grid's left end: approached, not attained
                (false, true) when start == i => "x → ∞",
                (true, false) => SampleConsole.F($"x ≤ {x[i]:0.##}"),
                (false, true) => SampleConsole.F($"x ≥ {x[start]:0.##}"),
                _ when start == i => SampleConsole.F($"x = {x[i]:0.##}"),
                _ => SampleConsole.F($"{x[start]:0.##} ≤ x ≤ {x[i]:0.##}"),
            });
        }
        return runs.Count == 0 ? none : string.Join(", ", runs);
    }
}
