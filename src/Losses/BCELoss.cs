using System.Globalization;
using System.Numerics;

namespace MiniGrad.Losses;

/// <summary>
/// Binary cross-entropy on probabilities: L = −(1/N) Σᵢ [tᵢ·ln pᵢ + (1 − tᵢ)·ln(1 − pᵢ)], over all N elements,
/// with each log clamped at −100 (PyTorch's <c>BCELoss</c>, 'mean').
/// </summary>
/// <remarks>
/// <para>dL/dpᵢ = (pᵢ − tᵢ) / max(pᵢ(1 − pᵢ), 10⁻¹²) / N, as PyTorch computes it. The clamps keep the loss and
/// gradient finite when a saturated sigmoid gives exactly 0 or 1.</para>
/// <para>Prefer <see cref="BCEWithLogitsLoss{T}"/> on the logits: it folds the sigmoid in and never saturates.</para>
/// </remarks>
public sealed class BCELoss<T> : IRegressionLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private static readonly T LogFloor = T.CreateTruncating(-100.0);
    private static readonly T Epsilon = T.CreateTruncating(1e-12);

    /// <summary>The loss of the <paramref name="probabilities"/> against <paramref name="target"/> (same shape), as a 1 × 1 tensor.</summary>
    /// <exception cref="ArgumentException">The shapes differ, or a probability is outside [0, 1].</exception>
    public Tensor<T> Forward(Tensor<T> probabilities, Tensor<T> target)
    {
        LossChecks.SameShape("BCELoss", probabilities, target);
        var p = probabilities.Span;
        for (int i = 0; i < p.Length; i++)
            if (!(p[i] >= T.Zero && p[i] <= T.One))
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"BCELoss: every input must be a probability in [0, 1]; element {i} is {p[i]}. Apply a sigmoid first, or use BCEWithLogitsLoss on the logits."),
                    nameof(probabilities));

        ReadOnlySpan<Tensor<T>> inputs = [probabilities, target];
        var loss = Tensor<T>.Result(1, 1, inputs);
        var t = target.Span;
        T sum = T.Zero;
        for (int i = 0; i < p.Length; i++)
            sum -= t[i] * T.Max(T.Log(p[i]), LogFloor) + (T.One - t[i]) * T.Max(T.Log(T.One - p[i]), LogFloor);
        loss.Span[0] = sum / T.CreateTruncating(p.Length);

        return Tensor<T>.Record("BCELoss", loss, inputs, static (loss, inputs) =>
        {
            var (probabilities, target) = (inputs[0], inputs[1]);
            Span<T> p = probabilities.Span, t = target.Span;
            T scale = loss.GradSpan[0] / T.CreateTruncating(p.Length);
            if (probabilities.RequiresGrad)
            {
                var dp = probabilities.GradAccumulator();
                for (int i = 0; i < p.Length; i++)
                    dp[i] += scale * (p[i] - t[i]) / T.Max(p[i] * (T.One - p[i]), Epsilon);
            }
            if (target.RequiresGrad) // dL/dt = ln(1 − p) − ln p, with the same clamps
            {
                var dt = target.GradAccumulator();
                for (int i = 0; i < p.Length; i++)
                    dt[i] += scale * (T.Max(T.Log(T.One - p[i]), LogFloor) - T.Max(T.Log(p[i]), LogFloor));
            }
        });
    }
}
