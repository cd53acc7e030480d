using System.Numerics;
using MiniGrad.Activations;
using MiniGrad.Layers;

namespace MiniGrad.Tests;

/// <summary>The activations the tests run over, by a short test name, with hyperparameters away from the defaults too.</summary>
internal static class ActivationCases
{
    /// <summary>Every element-wise activation (those with a scalar Apply/Derivative and vector kernels).</summary>
    public static readonly string[] Elementwise =
    [
        "Sigmoid", "Tanh", "ReLU", "Identity", "LeakyReLU", "LeakyReLU(0.2)",
        "ELU", "ELU(0.5)", "SELU", "GELU", "GELU(tanh)", "SiLU", "SiLU(1.7)", "Softplus", "Softplus(2, 5)", "Mish",
    ];

    /// <summary>Every activation module: the element-wise ones, and those with a learned or random parameter or a row-wise rule.</summary>
    public static readonly string[] Modules =
        [.. Elementwise, "PReLU", "PReLU(-0.3)", "PReLU(per feature)", "Swish", "RReLU", "RReLU(train)", "Softmax", "Softmax(0.5)", "LogSoftmax"];

    public static TheoryData<string> ElementwiseNames => new(Elementwise);

    public static TheoryData<string> ModuleNames => new(Modules);

    public static ElementwiseActivation<T> Create<T>(string name) where T : unmanaged, IFloatingPointIeee754<T> => name switch
    {
        "Sigmoid" => new Sigmoid<T>(),
        "Tanh" => new Tanh<T>(),
        "ReLU" => new ReLU<T>(),
        "Identity" => new Identity<T>(),
        "LeakyReLU" => new LeakyReLU<T>(),
        "LeakyReLU(0.2)" => new LeakyReLU<T>(slope: 0.2),
        "ELU" => new ELU<T>(),
        "ELU(0.5)" => new ELU<T>(alpha: 0.5),
        "SELU" => new SELU<T>(),
        "GELU" => new GELU<T>(),
        "GELU(tanh)" => new GELU<T>(approximate: true),
        "SiLU" => new SiLU<T>(),
        "SiLU(1.7)" => new SiLU<T>(beta: 1.7),
        "Softplus" => new Softplus<T>(),
        "Softplus(2, 5)" => new Softplus<T>(beta: 2, threshold: 5),
        "Mish" => new Mish<T>(),
        _ => throw new ArgumentException($"no element-wise case '{name}'", nameof(name)),
    };

    /// <summary>The module for a case; <paramref name="features"/> is the input width (for per-feature PReLU).</summary>
    public static Module<T> CreateModule<T>(string name, int features) where T : unmanaged, IFloatingPointIeee754<T> => name switch
    {
        "PReLU" => new PReLU<T>(),
        "PReLU(-0.3)" => new PReLU<T>(init: -0.3),
        "PReLU(per feature)" => PerFeaturePReLU<T>(features),
        "Swish" => new Swish<T>(beta: 0.8),
        "RReLU" => Eval(new RReLU<T>(rng: new Random(11))),
        "RReLU(train)" => new RReLU<T>(rng: new Random(5)),
        "Softmax" => new Softmax<T>(),
        "Softmax(0.5)" => new Softmax<T>(temperature: 0.5),
        "LogSoftmax" => new LogSoftmax<T>(),
        _ => Create<T>(name),
    };

    /// <summary>A per-feature PReLU whose slopes differ from one another, so a mix-up of features shows.</summary>
    private static PReLU<T> PerFeaturePReLU<T>(int features) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var prelu = new PReLU<T>(numParameters: features);
        for (int c = 0; c < features; c++) prelu.Slope[0, c] = T.CreateTruncating(0.1 + 0.1 * c);
        return prelu;
    }

    private static RReLU<T> Eval<T>(RReLU<T> module) where T : unmanaged, IFloatingPointIeee754<T>
    {
        module.Eval();
        return module;
    }
}
