using System.Numerics;

namespace MiniGrad.Layers;

/// <summary>
/// A piece of a network: a function of one tensor, y = Forward(x), with the parameters it learns.
/// Layers, activations and whole models are modules, so they nest in <see cref="Sequential{T}"/>.
/// </summary>
/// <remarks>
/// A module starts in training mode (as in PyTorch). <see cref="Train"/> and <see cref="Eval"/> switch the
/// modes of modules that behave differently in each, such as RReLU and Dropout.
/// </remarks>
public abstract class Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Whether the module is in training mode (true after construction and <see cref="Train"/>).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>The module's output for the batch <paramref name="x"/> (one example per row).</summary>
    public abstract Tensor<T> Forward(Tensor<T> x);

    /// <summary>The tensors the module learns, each once, in a fixed order. None by default.</summary>
    public virtual IEnumerable<Tensor<T>> Parameters() => [];

    /// <summary>Switches to training mode.</summary>
    public void Train() => SetTraining(true);

    /// <summary>Switches to evaluation (inference) mode.</summary>
    public void Eval() => SetTraining(false);

    /// <summary>Sets the mode; containers override it to pass the mode on to the modules they hold.</summary>
    protected virtual void SetTraining(bool training) => IsTraining = training;

    /// <summary>Clears the gradient of every parameter, keeping its memory.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters()) parameter.ZeroGrad();
    }

    private string? name;

    /// <summary><see cref="ToString"/>, made once: the name ops record on the tape (so recording allocates nothing once warm).</summary>
    internal string Name => name ??= ToString();

    /// <summary>
    /// The parameters with names, in the order of <see cref="Parameters"/>, like PyTorch's <c>named_parameters</c>:
    /// <c>weight</c> and <c>bias</c> for a dense layer. By default they are numbered 0, 1, …
    /// </summary>
    public virtual IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters() =>
        Parameters().Select((parameter, index) => (index.ToString(System.Globalization.CultureInfo.InvariantCulture), parameter));

    /// <summary>The module's name, e.g. <c>Tanh</c>; layers add their sizes, e.g. <c>Dense(2 → 8)</c>.</summary>
    public override string ToString()
    {
        var name = GetType().Name;
        int tick = name.IndexOf('`');
        return tick < 0 ? name : name[..tick];
    }
}
