using System.Numerics;
using MiniGrad.Kernels;

namespace MiniGrad.Losses;

/// <summary>
/// Binary cross-entropy on logits: L = (1/N) Σᵢ [max(xᵢ, 0) − xᵢ·tᵢ + ln(1 + e^(−|xᵢ|))], which equals
/// BCE(σ(x), t) computed without ever forming σ(x) (PyTorch's <c>BCEWithLogitsLoss</c>, 'mean').
/// </summary>
/// <remarks>
/// <para>dL/dxᵢ = (σ(xᵢ) − tᵢ)/N: the sigmoid's vanishing derivative cancels against the log's, so the gradient
/// never saturates. The rearranged form keeps every exponent ≤ 0, so it is finite for any logit (±1000 included).</para>
/// <para>The loss for binary classification: put no sigmoid on the last layer and feed its output here.</para>
/// </remarks>
public sealed class BCEWithLogitsLoss<T> : IRegressionLoss<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>The loss of the <paramref name="logits"/> against <paramref name="target"/> (same shape, values in [0, 1]), as a 1 × 1 tensor.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public Tensor<T> Forward(Tensor<T> logits, Tensor<T> target)
    {
        LossChecks.SameShape("BCEWithLogitsLoss", logits, target);

        ReadOnlySpan<Tensor<T>> inputs = [logits, target];
        var loss = Tensor<T>.Result(1, 1, inputs);
        Span<T> x = logits.Span, t = target.Span;
        T sum = T.Zero;
        for (int i = 0; i < x.Length; i++)
            sum += T.Max(x[i], T.Zero) - x[i] * t[i] + ScalarMath.Log1P(T.Exp(-T.Abs(x[i])));
        loss.Span[0] = sum / T.CreateTruncating(x.Length);

        return Tensor<T>.Record("BCEWithLogitsLoss", loss, inputs, static (loss, inputs) =>
        {
            var (logits, target) = (inputs[0], inputs[1]);
            Span<T> x = logits.Span, t = target.Span;
            T scale = loss.GradSpan[0] / T.CreateTruncating(x.Length);
            if (logits.RequiresGrad)
            {
                var dx = logits.GradAccumulator();
                for (int i = 0; i < x.Length; i++) dx[i] += scale * (T.One / (T.One + T.Exp(-x[i])) - t[i]); // σ(x) − t
            }
            if (target.RequiresGrad) // dL/dt = −x
            {
                var dt = target.GradAccumulator();
                for (int i = 0; i < x.Length; i++) dt[i] -= scale * x[i];
            }
        });
    }
}
