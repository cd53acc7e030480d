using System.Numerics;

namespace MiniGrad.Data;

/// <summary>
/// Standardises features: z = (x − μ)/σ per column, with μ and σ (the population standard deviation, as scikit-learn's
/// <c>StandardScaler</c>) measured on the training data only by <see cref="Fit"/> and then applied to any split.
/// </summary>
/// <remarks>A column that does not vary (σ = 0) is only centred (σ is taken as 1), so it never divides by zero.</remarks>
public sealed class StandardScaler<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private T[]? mean, scale;

    /// <summary>μ per column (1 × features), once fitted.</summary>
    public Tensor<T> Mean => Tensor<T>.FromArray(1, Fitted.Mean.Length, Fitted.Mean);

    /// <summary>σ per column (1 × features), once fitted; 1 where the column does not vary.</summary>
    public Tensor<T> Scale => Tensor<T>.FromArray(1, Fitted.Scale.Length, Fitted.Scale);

    /// <summary>Measures μ and σ of each column of <paramref name="x"/> (the training data); returns this scaler.</summary>
    /// <exception cref="ArgumentException">x has no rows.</exception>
    public StandardScaler<T> Fit(Tensor<T> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rows == 0) throw new ArgumentException("StandardScaler: cannot fit on no rows.", nameof(x));
        int rows = x.Rows, cols = x.Cols;
        var mu = new double[cols];
        var sumSquares = new double[cols];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++) mu[c] += double.CreateTruncating(x[r, c]) / rows;
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                double d = double.CreateTruncating(x[r, c]) - mu[c];
                sumSquares[c] += d * d;
            }
        mean = mu.Select(T.CreateTruncating).ToArray();
        scale = sumSquares.Select(s => Math.Sqrt(s / rows)).Select(s => s > 0 ? T.CreateTruncating(s) : T.One).ToArray();
        return this;
    }

    /// <summary>(x − μ)/σ, a new tensor.</summary>
    /// <exception cref="InvalidOperationException">The scaler has not been fitted.</exception>
    /// <exception cref="ArgumentException">x has a different number of columns than the data it was fitted on.</exception>
    public Tensor<T> Transform(Tensor<T> x) => Map(x, static (v, m, s) => (v - m) / s);

    /// <summary>z·σ + μ: the original features back from standardised ones.</summary>
    /// <exception cref="InvalidOperationException">The scaler has not been fitted.</exception>
    /// <exception cref="ArgumentException">x has a different number of columns than the data it was fitted on.</exception>
    public Tensor<T> InverseTransform(Tensor<T> x) => Map(x, static (v, m, s) => v * s + m);

    /// <summary><see cref="Fit"/> then <see cref="Transform"/> on the same data.</summary>
    public Tensor<T> FitTransform(Tensor<T> x) => Fit(x).Transform(x);

    private Tensor<T> Map(Tensor<T> x, Func<T, T, T, T> f)
    {
        ArgumentNullException.ThrowIfNull(x);
        var (mu, sigma) = Fitted;
        if (x.Cols != mu.Length)
            throw new ArgumentException($"StandardScaler: fitted on {mu.Length} features, given {x.Cols} ({x.Shape}).", nameof(x));
        var result = Tensor<T>.Zeros(x.Rows, x.Cols);
        for (int r = 0; r < x.Rows; r++)
            for (int c = 0; c < x.Cols; c++) result[r, c] = f(x[r, c], mu[c], sigma[c]);
        return result;
    }

    private (T[] Mean, T[] Scale) Fitted =>
        mean is null ? throw new InvalidOperationException("StandardScaler: call Fit on the training data first.") : (mean, scale!);
}
