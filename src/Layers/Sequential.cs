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

    /// <summary>A monitor watching each module's forward pass (<see cref="Diagnostics.GradientFlowMonitor{T}"/>); null when none is attached.</summary>
    internal IForwardObserver<T>? Observer;

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        if (Observer is not null || Anomaly.IsDetecting) return ForwardObserved(x);
        foreach (var layer in layers) x = layer.Forward(x);
        return x;
    }

    /// <summary>Forward with diagnostics on: names each layer for anomaly messages and shows each module's input and output to the monitor.</summary>
    private Tensor<T> ForwardObserved(Tensor<T> x)
    {
        string? outer = Anomaly.CurrentLayer;
        try
        {
            for (int i = 0; i < layers.Length; i++)
            {
                if (Anomaly.IsDetecting)
                {
                    string here = $"layer {i} ({layers[i]})";
                    Anomaly.CurrentLayer = outer is null ? here : $"{outer} › {here}";
                }
                var y = layers[i].Forward(x);
                Observer?.Observe(i, x, y);
                x = y;
            }
            return x;
        }
        finally
        {
            Anomaly.CurrentLayer = outer;
        }
    }

    /// <summary>Every module's parameters, in order, each tensor once.</summary>
    public override IEnumerable<Tensor<T>> Parameters()
    {
        var seen = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        foreach (var layer in layers)
            foreach (var parameter in layer.Parameters())
                if (seen.Add(parameter)) yield return parameter;
    }

    /// <summary>Every module's named parameters, each tensor once, prefixed by the module's index: <c>0.weight</c>, <c>0.bias</c>, <c>2.weight</c>…</summary>
    public override IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters()
    {
        var seen = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < layers.Length; i++)
            foreach (var (name, parameter) in layers[i].NamedParameters())
                if (seen.Add(parameter)) yield return ($"{i}.{name}", parameter);
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

/// <summary>Sees each module's input and output as a <see cref="Sequential{T}"/> runs forward.</summary>
internal interface IForwardObserver<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Module <paramref name="index"/> of the chain has just mapped <paramref name="input"/> to <paramref name="output"/>.</summary>
    void Observe(int index, Tensor<T> input, Tensor<T> output);
}
