using System.Numerics;

namespace MiniGrad.Layers;

/// <summary>A chain of modules: y = fₙ(… f₂(f₁(x))). Backward flows through them in reverse.</summary>
/// <remarks>
/// <see cref="Parameters"/> lists each parameter once, even when one module appears at several places, so an
/// optimizer steps it once with the sum of its gradients.
/// </remarks>
public sealed class Sequential<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Module<T>[] layers;

    /// <summary>Chains <paramref name="layers"/> in the order given.</summary>
    public Sequential(params Module<T>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        for (int i = 0; i < layers.Length; i++)
            if (layers[i] is null) throw new ArgumentNullException(nameof(layers), $"Sequential: layer {i} is null.");
        this.layers = (Module<T>[])layers.Clone();
    }

    /// <summary>The modules, in order.</summary>
    public IReadOnlyList<Module<T>> Layers => layers;

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module<T> this[int index] => layers[index];

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        foreach (var layer in layers) x = layer.Forward(x);
        return x;
    }

    /// <summary>Every module's parameters, in order, each tensor once.</summary>
    public override IEnumerable<Tensor<T>> Parameters()
    {
        var seen = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        foreach (var layer in layers)
            foreach (var parameter in layer.Parameters())
                if (seen.Add(parameter)) yield return parameter;
    }

    /// <inheritdoc/>
    protected override void SetTraining(bool training)
    {
        base.SetTraining(training);
        foreach (var layer in layers)
        {
            if (training) layer.Train();
            else layer.Eval();
        }
    }

    /// <summary>The chain, e.g. <c>Sequential(Dense(2 → 8), Tanh, Dense(8 → 1))</c>.</summary>
    public override string ToString() => $"Sequential({string.Join(", ", layers.Select(layer => layer.ToString()))})";
}
