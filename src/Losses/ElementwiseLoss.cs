using System.Numerics;

namespace MiniGrad.Losses;

/// <summary>An element-wise loss term of d = p − t and its derivative, as a small struct (no delegate per element).</summary>
internal interface ILossRule<T>
{
    T Value(T d);

    T Derivative(T d);
}

/// <summary>The shared shape of the element-wise regression losses: the mean of f(p − t), with gradient f'(p − t)/N.</summary>
internal static class ElementwiseLoss
{
    internal static Tensor<T> Forward<T, TRule>(string name, Tensor<T> prediction, Tensor<T> target, TRule rule)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TRule : struct, ILossRule<T>
    {
        LossChecks.SameShape(name, prediction, target);
        ReadOnlySpan<Tensor<T>> inputs = [prediction, target];
        var loss = Tensor<T>.Result(1, 1, inputs);
        Span<T> p = prediction.AsSpan(), t = target.AsSpan();
        T sum = T.Zero;
        for (int i = 0; i < p.Length; i++) sum += rule.Value(p[i] - t[i]);
        loss.Span[0] = sum / T.CreateTruncating(p.Length);
        return Tensor<T>.Record(name, loss, inputs, rule, static (loss, inputs, rule) =>
        {
            var (prediction, target) = (inputs[0], inputs[1]);
            Span<T> p = prediction.Span, t = target.Span;
            T scale = loss.GradSpan[0] / T.CreateTruncating(p.Length);
            if (prediction.RequiresGrad)
            {
                var dp = prediction.GradAccumulator();
                for (int i = 0; i < p.Length; i++) dp[i] += scale * rule.Derivative(p[i] - t[i]);
            }
            if (target.RequiresGrad)
            {
                var dt = target.GradAccumulator();
                for (int i = 0; i < p.Length; i++) dt[i] -= scale * rule.Derivative(p[i] - t[i]);
            }
        });
    }
}
