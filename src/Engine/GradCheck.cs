namespace MiniGrad;
using MiniGrad.Kernels;

/// <summary>
/// Checks the tape's analytic gradients against central differences, in double precision: for a scalar
/// function f of some tensors and every element xᵢ of them,
/// <code>
/// numeric  = (f(x + eps·eᵢ) − f(x − eps·eᵢ)) / (2·eps)
/// analytic = dL/dxᵢ from one backward pass
/// passes when |analytic − numeric| ≤ atol + rtol·|numeric|
/// </code>
/// with PyTorch's <c>gradcheck</c> defaults eps = 1e-6, atol = 1e-5, rtol = 1e-3.
/// </summary>
/// <remarks>
/// The function must be deterministic and must compute its result from the current values of the inputs
/// each time it is called. The check opens its own tape, so it cannot run while one is open; afterwards each
/// input's <see cref="Tensor{T}.Grad"/> holds the analytic gradient.
/// </remarks>
public static class GradCheck
{
    /// <summary>Checks d f / d input for every element of every input, with PyTorch's default tolerances.</summary>
    /// <param name="function">Computes a 1 × 1 result from <paramref name="inputs"/>.</param>
    /// <param name="inputs">Leaf tensors that require grad.</param>
    public static GradCheckResult Check(Func<Tensor<double>> function, params Tensor<double>[] inputs) =>
        Check(function, (IReadOnlyList<Tensor<double>>)inputs);

    /// <summary>Checks d f / d input for every element of every input.</summary>
    /// <param name="function">Computes a 1 × 1 result from <paramref name="inputs"/>.</param>
    /// <param name="inputs">Leaf tensors that require grad.</param>
    /// <param name="eps">The step of the central difference.</param>
    /// <param name="atol">Absolute tolerance.</param>
    /// <param name="rtol">Tolerance relative to the numeric gradient.</param>
    /// <exception cref="ArgumentException">An input is not a leaf that requires grad, or the function's result is not 1 × 1.</exception>
    /// <exception cref="InvalidOperationException">A tape is open on this thread.</exception>
    public static GradCheckResult Check(Func<Tensor<double>> function, IReadOnlyList<Tensor<double>> inputs, double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(function);
        ArgumentNullException.ThrowIfNull(inputs);
        Require.Positive(eps, nameof(eps));
        Require.NonNegative(atol, nameof(atol));
        Require.NonNegative(rtol, nameof(rtol));
        for (int k = 0; k < inputs.Count; k++)
        {
            var input = inputs[k] ?? throw new ArgumentNullException(nameof(inputs), $"GradCheck: input {k} is null.");
            if (!input.RequiresGrad || !input.IsLeaf)
                throw new ArgumentException($"GradCheck: input {k} ({input.Shape}) must be a leaf tensor created with requiresGrad: true.", nameof(inputs));
        }
        if (Tape.IsRecording)
            throw new InvalidOperationException("GradCheck opens its own tape; call it while no tape is open on this thread.");

        var analytic = AnalyticGradients(function, inputs);
        var worst = new GradCheckResult(true, -1, -1, -1, 0, 0, 0, 0);
        double worstRatio = -1;
        int count = 0;
        for (int k = 0; k < inputs.Count; k++)
        {
            var values = inputs[k].AsSpan();
            for (int i = 0; i < values.Length; i++, count++)
            {
                double saved = values[i];
                values[i] = saved + eps;
                double plus = Value(function);
                values[i] = saved - eps;
                double minus = Value(function);
                values[i] = saved;

                double numeric = (plus - minus) / (2 * eps);
                double tolerance = atol + rtol * Math.Abs(numeric);
                double error = Math.Abs(analytic[k][i] - numeric);
                double ratio = double.IsNaN(error) ? double.PositiveInfinity : error / tolerance;
                if (ratio > worstRatio)
                {
                    worstRatio = ratio;
                    int cols = inputs[k].Cols;
                    worst = new GradCheckResult(ratio <= 1, k, i / cols, i % cols, analytic[k][i], numeric, tolerance, 0);
                }
            }
        }
        return worst with { Passed = worstRatio <= 1, Checked = count };
    }

    private static double[][] AnalyticGradients(Func<Tensor<double>> function, IReadOnlyList<Tensor<double>> inputs)
    {
        foreach (var input in inputs) input.ZeroGrad();
        using (var tape = new Tape())
        {
            var result = function();
            CheckResult(result);
            if (result.RequiresGrad) tape.Backward(result);
        }
        return inputs.Select(input => input.Grad?.AsSpan().ToArray() ?? new double[input.Length]).ToArray();
    }

    private static double Value(Func<Tensor<double>> function)
    {
        var result = function();
        CheckResult(result);
        return result.Item;
    }

    private static void CheckResult(Tensor<double> result)
    {
        if (result is null || result.Rows != 1 || result.Cols != 1)
            throw new ArgumentException($"GradCheck: the function must return a 1x1 tensor; it returned {result?.Shape ?? "null"}.", "function");
    }
}
