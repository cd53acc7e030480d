using System.Globalization;
using System.Numerics;

namespace MiniGrad.Layers;

/// <summary>A chain of modules: y = fₙ(… f₂(f₁(x))). Backward flows through them in reverse.</summary>
/// <remarks>
/// The modules are registered under their positions, <c>0</c>, <c>1</c>, …, so parameters are named <c>0.weight</c>,
/// <c>0.bias</c>, <c>2.weight</c>… as in PyTorch's <c>nn.Sequential</c> (activations take positions too).
/// <see cref="Module{T}.Parameters"/> lists each parameter once, even when one module appears at several places, so an
/// optimizer steps it once with the sum of its gradients.
/// </remarks>
public sealed class Sequential<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Module<T>[] layers;

    /// <summary>Chains <paramref name="layers"/> in the order given.</summary>
    /// <exception cref="ArgumentNullException">A layer is null.</exception>
    /// <exception cref="ArgumentException">A layer takes a number of features the layers before it do not give (for
    /// example <c>Dense(4 → 8)</c> followed by <c>Dense(7 → 2)</c>): found here, not in the middle of a forward pass that
    /// has already changed a BatchNorm's running statistics.</exception>
    public Sequential(params Module<T>[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        for (int i = 0; i < layers.Length; i++)
            if (layers[i] is null) throw new ArgumentNullException(nameof(layers), $"Sequential: layer {i} is null.");
        Chain(layers, input: null, check: true);
        this.layers = (Module<T>[])layers.Clone();
        recycles = this.layers.All(layer => layer.KeepsNoTensors);
        for (int i = 0; i < layers.Length; i++) RegisterModule(i.ToString(CultureInfo.InvariantCulture), layers[i]);
    }

    /// <summary>The modules, in order.</summary>
    public IReadOnlyList<Module<T>> Layers => layers;

    internal override int? InputFeatures
    {
        get
        {
            foreach (var layer in layers)
            {
                if (layer.InputFeatures is int features) return features;
                if (layer.OutputFeatures(1) != 1) return null; // changes the width without saying what it takes: unknown
            }
            return null;
        }
    }

    internal override int? OutputFeatures(int? input) => Chain(layers, input, check: false);

    /// <summary>
    /// The width the chain gives for an input of <paramref name="input"/> features (null: unknown); with
    /// <paramref name="check"/>, refuses a layer whose required width differs from the width the layers before it give.
    /// </summary>
    private static int? Chain(IReadOnlyList<Module<T>> modules, int? input, bool check)
    {
        int? width = input;
        for (int i = 0; i < modules.Count; i++)
        {
            if (check && width is int given && modules[i].InputFeatures is int needed && needed != given)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Sequential: layer {i} ({modules[i]}) takes {needed} features, but layer {i - 1} ({modules[i - 1]}) gives {given}."), "layers");
            }
            width = modules[i].OutputFeatures(width);
        }
        return width;
    }

    /// <summary>The module at <paramref name="index"/>.</summary>
    public Module<T> this[int index] => layers[index];

    /// <summary>
    /// A watcher that sees each module's input and output as the chain runs forward (a forward hook, as PyTorch's
    /// <c>register_forward_hook</c>); null when none is attached. Diagnostics attach here.
    /// </summary>
    internal IForwardObserver<T>? Observer;

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> x)
    {
        if (Observer is not null || TapeRecorder.Observer is not null) return ForwardObserved(x);
        if (recycles && !TapeRecorder.IsRecording) return ForwardRecycling(x);
        foreach (var layer in layers) x = layer.Forward(x);
        return x;
    }

    /// <summary>
    /// Whether a forward pass without a tape may take its intermediate results from the pool and give each back once the
    /// next layer has read it: only when every layer keeps no reference to its tensors (<see cref="Module{T}.KeepsNoTensors"/>).
    /// </summary>
    private readonly bool recycles;

    internal override bool KeepsNoTensors => recycles;

    /// <summary>
    /// The forward pass without a tape, as inference runs it: each layer but the last writes its result into a pooled
    /// buffer, given back as soon as the next layer has read it, so a warm pass allocates only the tensor it returns
    /// (an MNIST MLP at batch 256 allocated 1.6 MB per pass before). The caller's input is never given back, and what is
    /// returned is never a pooled buffer, so the caller owns it as before.
    /// </summary>
    private Tensor<T> ForwardRecycling(Tensor<T> input)
    {
        bool outer = Tensor<T>.PoolsUntrackedResults; // set when this Sequential is itself a layer of a recycling one
        var x = input;
        try
        {
            for (int i = 0; i < layers.Length; i++)
            {
                Tensor<T>.PoolsUntrackedResults = outer || i < layers.Length - 1;
                var y = layers[i].Forward(x);
                if (!ReferenceEquals(x, input) && !ReferenceEquals(x, y) && x.IsPooled) x.Return();
                x = y;
            }
        }
        finally
        {
            Tensor<T>.PoolsUntrackedResults = outer;
        }
        if (outer || ReferenceEquals(x, input) || !x.IsPooled) return x;
        var owned = x.Detach(); // a last layer that passes its input through (Dropout in evaluation) returned a pooled buffer
        x.Return();
        return owned;
    }

    /// <summary>Forward with watchers: names each layer for the tape's observer and shows each module's input and output to <see cref="Observer"/>.</summary>
    private Tensor<T> ForwardObserved(Tensor<T> x)
    {
        string? outer = TapeRecorder.Scope;
        try
        {
            for (int i = 0; i < layers.Length; i++)
            {
                if (TapeRecorder.Observer is not null)
                {
                    string here = $"layer {i} ({layers[i]})";
                    TapeRecorder.Scope = outer is null ? here : $"{outer} › {here}";
                }
                var y = layers[i].Forward(x);
                Observer?.Observe(i, x, y);
                x = y;
            }
            return x;
        }
        finally
        {
            TapeRecorder.Scope = outer;
        }
    }

    /// <summary>
    /// Rebuilds the model saved in <paramref name="path"/> by <see cref="Module{T}.Save(string)"/>: the same modules from
    /// the file's architecture, then its weights (converted to T when the file holds the other precision). The model is
    /// returned in evaluation mode, ready for inference; call <see cref="Module{T}.Train"/> to train it further.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not valid, has no architecture (it holds only weights, as a
    /// PyTorch state_dict does: build the model and call <see cref="Module{T}.LoadWeights(string)"/>), or does not fit it.</exception>
    public static Sequential<T> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.OpenRead(path);
        return Load(file);
    }

    /// <inheritdoc cref="Load(string)"/>
    public static Sequential<T> Load(Stream stream)
    {
        using var seekable = Seekable(stream);
        var header = Serialization.SafetensorsFile.ReadHeader(seekable);
        if (!header.Metadata.TryGetValue(ArchitectureKey, out var json))
            throw new InvalidDataException(
                "The file holds weights but no architecture (as a PyTorch state_dict does): build the same model and call LoadWeights.");
        Module<T> built;
        using (TensorBudget.Limit(header.DataLength / 2)) // every tensor the modules make must come from the file, at 2 bytes or more a value
            built = ModuleKinds<T>.Create(ModuleSpec.FromJson(json));
        if (built is not Sequential<T> model)
            throw new InvalidDataException("The file's architecture is not a Sequential.");
        model.LoadWeights(seekable, header);
        model.Eval();
        return model;
    }

    /// <summary>Its modules' specs, when every one of them can describe itself.</summary>
    internal override ModuleSpec? Spec()
    {
        var specs = layers.Select(layer => layer.Spec()).ToArray();
        return specs.Any(spec => spec is null) ? null : new ModuleSpec("Sequential", new Dictionary<string, string>(), specs!);
    }

    internal static Sequential<T> FromSpec(ModuleSpec spec) => new([.. spec.Children.Select(ModuleKinds<T>.Create)]);

    /// <summary>The chain, e.g. <c>Sequential(Dense(2 → 8), Tanh, Dense(8 → 1))</c>.</summary>
    public override string ToString() => $"Sequential({string.Join(", ", layers.Select(layer => layer.ToString()))})";
}

/// <summary>Sees each module's input and output as a <see cref="Sequential{T}"/> runs forward.</summary>
internal interface IForwardObserver<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Module <paramref name="index"/> of the chain has just mapped <paramref name="input"/> to <paramref name="output"/>.</summary>
    void Observe(int index, Tensor<T> input, Tensor<T> output);
}
