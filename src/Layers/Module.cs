using System.Globalization;
using System.Numerics;
using System.Reflection;

namespace MiniGrad.Layers;

/// <summary>
/// A piece of a network: a function of one tensor, y = Forward(x), with the parameters it learns and the modules it is
/// made of. Layers, activations and whole models are modules, so they nest.
/// </summary>
/// <remarks>
/// <para>A module registers each parameter and each sub-module once, in its constructor, as PyTorch's
/// <c>register_parameter</c> and <c>add_module</c> do:</para>
/// <code>
/// sealed class Residual : Module&lt;float&gt;
/// {
///     private readonly Dense&lt;float&gt; body;
///     public Residual(int width, Random rng) => body = RegisterModule("body", new Dense&lt;float&gt;(width, width, rng));
///     public override Tensor&lt;float&gt; Forward(Tensor&lt;float&gt; x) => x + body.Forward(x);
/// }
/// </code>
/// <para><see cref="Parameters"/>, <see cref="NamedParameters"/> (<c>body.weight</c>, <c>body.bias</c>), <see cref="Children"/>,
/// <see cref="ToString"/>, <see cref="Train"/>/<see cref="Eval"/> and <see cref="ZeroGrad"/> all read that one registry.
/// A module starts in training mode (as in PyTorch); modules such as RReLU and Dropout behave differently in each.</para>
/// </remarks>
public abstract partial class Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly List<(string Name, Tensor<T> Parameter)> parameters = [];
    private readonly List<(string Name, Module<T> Module)> children = [];
    private string? name;

    /// <summary>Whether the module is in training mode (true after construction and <see cref="Train"/>).</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>The module's output for the batch <paramref name="x"/> (one example per row).</summary>
    public abstract Tensor<T> Forward(Tensor<T> x);

    /// <summary>
    /// Registers <paramref name="parameter"/> under <paramref name="name"/> (PyTorch's <c>register_parameter</c>) and returns it.
    /// It must be a leaf that requires grad.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty or taken, or the tensor is not a leaf that requires grad.</exception>
    protected Tensor<T> RegisterParameter(string name, Tensor<T> parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        CheckNewName(name);
        if (!parameter.RequiresGrad || !parameter.IsLeaf)
            throw new ArgumentException($"{GetType().Name}: parameter '{name}' ({parameter.Shape}) must be a leaf tensor that requires grad.", nameof(parameter));
        parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers <paramref name="module"/> as a part of this one under <paramref name="name"/> (PyTorch's <c>add_module</c>) and returns it.</summary>
    /// <exception cref="ArgumentException">The name is empty or taken, or the module is this one.</exception>
    protected TModule RegisterModule<TModule>(string name, TModule module) where TModule : Module<T>
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckNewName(name);
        if (ReferenceEquals(module, this)) throw new ArgumentException($"{GetType().Name}: a module cannot contain itself.", nameof(module));
        children.Add((name, module));
        return module;
    }

    private void CheckNewName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (parameters.Exists(p => p.Name == name) || children.Exists(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is registered already.", nameof(name));
    }

    /// <summary>The registered sub-modules with their names, in registration order (PyTorch's <c>named_children</c>).</summary>
    public IReadOnlyList<(string Name, Module<T> Module)> Children => children;

    /// <summary>
    /// Every parameter of this module and its sub-modules with its full name, each tensor once, in registration order
    /// (PyTorch's <c>named_parameters</c>): <c>weight</c> and <c>bias</c> for a dense layer, <c>0.weight</c>, <c>0.bias</c>,
    /// <c>2.weight</c>… for a <see cref="Sequential{T}"/>.
    /// </summary>
    public IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters()
    {
        var seen = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        foreach (var named in Walk(""))
            if (seen.Add(named.Parameter)) yield return named;
    }

    private IEnumerable<(string Name, Tensor<T> Parameter)> Walk(string prefix)
    {
        if (OverridesParameters)
        {
            // A module written before the registry, listing its parameters by hand: numbered as they come.
            int index = 0;
            foreach (var parameter in Parameters()) yield return (prefix + (index++).ToString(CultureInfo.InvariantCulture), parameter);
            yield break;
        }
        foreach (var (name, parameter) in parameters) yield return (prefix + name, parameter);
        foreach (var (name, child) in children)
            foreach (var named in child.Walk($"{prefix}{name}."))
                yield return named;
    }

    /// <summary>The tensors the module learns, each once, in the order of <see cref="NamedParameters"/>.</summary>
    /// <remarks>Read from the registry; there is no need to override it (an override is still honoured, and its parameters
    /// are then named 0, 1, … in <see cref="NamedParameters"/>).</remarks>
    public virtual IEnumerable<Tensor<T>> Parameters() => NamedParameters().Select(named => named.Parameter);

    private bool OverridesParameters => overridesParameters ??=
        GetType().GetMethod(nameof(Parameters), BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes)!.DeclaringType != typeof(Module<T>);

    private bool? overridesParameters;

    /// <summary>Switches this module and every sub-module to training mode.</summary>
    public void Train() => SetTraining(true);

    /// <summary>Switches this module and every sub-module to evaluation (inference) mode.</summary>
    public void Eval() => SetTraining(false);

    private void SetTraining(bool training)
    {
        IsTraining = training;
        foreach (var (_, child) in children) child.SetTraining(training);
    }

    /// <summary>The number of input features this module requires, when it requires one (Dense, BatchNorm1d, …); null when any width will do.</summary>
    internal virtual int? InputFeatures => null;

    /// <summary>
    /// Whether this module keeps no reference to the tensors it is given or returns, so that a <see cref="Sequential{T}"/>
    /// running it without a tape may lend it pooled buffers and take them back afterwards: true for MiniGrad's own modules,
    /// false for a module of your own, which may keep what it was given (as a PyTorch forward hook might).
    /// </summary>
    internal virtual bool KeepsNoTensors => GetType().Assembly == typeof(Module<T>).Assembly;

    /// <summary>
    /// The number of features this module gives for an input of <paramref name="input"/> features (null: unknown), when it
    /// can tell; null when it cannot (a module of your own). Element-wise modules give their input's width.
    /// </summary>
    internal virtual int? OutputFeatures(int? input) => null;

    /// <summary>
    /// Checks a layer's input: not null, not released, and <paramref name="features"/> columns; the message names the layer
    /// and both widths.
    /// </summary>
    /// <exception cref="ArgumentException">x has another number of columns.</exception>
    private protected void RequireFeatures(Tensor<T> x, int features)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.ThrowIfReleased();
        if (x.Cols != features)
            throw new ArgumentException($"{this}: input has {x.Cols} features (shape {x.Shape}) but the layer expects {features}.", nameof(x));
    }

    /// <summary>Clears the gradient of every parameter, keeping its memory.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters()) parameter.ZeroGrad();
    }

    /// <summary><see cref="ToString"/>, made once: the name ops record on the tape (so recording allocates nothing once warm).</summary>
    internal string Name => name ??= ToString();

    /// <summary>
    /// The module's name, e.g. <c>Tanh</c>, followed by its sub-modules, e.g. <c>Residual(body: Dense(4 → 4))</c>; layers
    /// with sizes or hyperparameters override it, e.g. <c>Dense(2 → 8)</c>. Numbers are written in the invariant culture.
    /// </summary>
    public override string ToString() =>
        children.Count == 0 ? TypeName : $"{TypeName}({string.Join(", ", children.Select(c => $"{c.Name}: {c.Module}"))})";

    /// <summary>The class name without its type argument, e.g. <c>Dense</c>: the kind a saved architecture records.</summary>
    internal string TypeName
    {
        get
        {
            var type = GetType().Name;
            int tick = type.IndexOf('`');
            return tick < 0 ? type : type[..tick];
        }
    }
}
