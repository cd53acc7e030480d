using System.Numerics;
using MiniGrad.Layers;

namespace MiniGrad.Activations;

/// <summary>
/// The activations by name: <see cref="Create{T}"/> builds one from its PyTorch functional name (for samples and
/// command lines), and <see cref="All"/> and <see cref="Describe"/> give the machine-readable descriptions that
/// samples and docs print.
/// </summary>
/// <remarks>
/// Names are matched ignoring case, underscores and hyphens, so <c>leaky_relu</c>, <c>LeakyReLU</c> and
/// <c>leaky-relu</c> are one name. <c>swish</c> is accepted for <c>silu</c> and <c>linear</c> for <c>identity</c>.
/// </remarks>
public static class Activation
{
    /// <summary>
    /// The <see cref="Maxout{T}"/> layer as an activation: its name, formula and properties (described here, with the
    /// activations, since the layer itself knows nothing of them).
    /// </summary>
    public static ActivationInfo MaxoutInfo { get; } = new()
    {
        Name = "maxout", Title = "Maxout",
        Formula = "y = max_k (x·W_k + b_k)",
        Derivative = "∂y/∂z_k = 1 for the winning piece, 0 for the others",
        Lower = double.NegativeInfinity, Upper = double.PositiveInfinity,
        ZeroCentred = false, Monotonic = false, Smooth = false,
        Use = "hidden layers that learn their own convex activation (with dropout, as in the paper)",
    };

    /// <summary>Every activation's description, in the order the material teaches them.</summary>
    public static IReadOnlyList<ActivationInfo> All { get; } =
    [
        Sigmoid<double>.Info, Tanh<double>.Info, ReLU<double>.Info, LeakyReLU<double>.Info, PReLU<double>.Info,
        RReLU<double>.Info, ELU<double>.Info, SELU<double>.Info, GELU<double>.Info, GELU<double>.TanhInfo,
        SiLU<double>.Info, Softplus<double>.Info, Mish<double>.Info, Softmax<double>.Info, LogSoftmax<double>.Info,
        MaxoutInfo, Identity<double>.Info,
    ];

    /// <summary>The names <see cref="Create{T}"/> and <see cref="Describe"/> accept, without the aliases.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(info => info.Name).ToArray();

    /// <summary>The description of the activation called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">No activation has that name; the message lists the known ones.</exception>
    public static ActivationInfo Describe(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string key = Normalise(name) switch
        {
            "swish" => "silu",
            "linear" => "identity",
            var other => other,
        };
        return All.FirstOrDefault(info => Normalise(info.Name) == key)
            ?? throw new ArgumentException($"Unknown activation '{name}'. Known: {string.Join(", ", Names)} (and swish, linear).", nameof(name));
    }

    /// <summary>
    /// A new activation with its default hyperparameters (PyTorch's), from its functional name:
    /// "sigmoid", "tanh", "relu", "leaky_relu", "prelu", "rrelu", "elu", "selu", "gelu", "gelu_tanh", "silu",
    /// "softplus", "mish", "softmax", "log_softmax" or "identity".
    /// </summary>
    /// <param name="name">The name, in any case.</param>
    /// <param name="rng">RReLU's source of random slopes; <see cref="Random.Shared"/> when null. The others ignore it.</param>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the known ones), or it is "maxout",
    /// a layer with weights that needs its sizes: <c>new Maxout&lt;T&gt;(inFeatures, outFeatures, pieces, rng)</c>.</exception>
    public static Module<T> Create<T>(string name, Random? rng = null) where T : unmanaged, IFloatingPointIeee754<T> =>
        Describe(name).Name switch
        {
            "sigmoid" => new Sigmoid<T>(),
            "tanh" => new Tanh<T>(),
            "relu" => new ReLU<T>(),
            "leaky_relu" => new LeakyReLU<T>(),
            "prelu" => new PReLU<T>(),
            "rrelu" => new RReLU<T>(rng: rng),
            "elu" => new ELU<T>(),
            "selu" => new SELU<T>(),
            "gelu" => new GELU<T>(),
            "gelu_tanh" => new GELU<T>(approximate: true),
            "silu" => new SiLU<T>(),
            "softplus" => new Softplus<T>(),
            "mish" => new Mish<T>(),
            "softmax" => new Softmax<T>(),
            "log_softmax" => new LogSoftmax<T>(),
            "identity" => new Identity<T>(),
            "maxout" => throw new ArgumentException(
                "maxout is a layer with weights, not a function: create it with new Maxout<T>(inFeatures, outFeatures, pieces, rng).", nameof(name)),
            var known => throw new InvalidOperationException($"Activation.Create has no case for '{known}'."),
        };

    private static string Normalise(string name) => name.Replace("_", "").Replace("-", "").Trim().ToLowerInvariant();
}
