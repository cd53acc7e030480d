using System.Numerics;
using System.Runtime.InteropServices;
using Google.Protobuf;
using MiniGrad.Activations;
using MiniGrad.Layers;
using MiniGrad.Onnx.Protocol;

namespace MiniGrad.Onnx;

/// <summary>
/// Exports a <see cref="Sequential{T}"/> model as an ONNX graph (opset 17, IR version 8), the model's inference (eval-mode)
/// function with a symbolic batch dimension, so that ONNX Runtime, Triton or any ONNX server can run it.
/// </summary>
/// <remarks>
/// <para>The graph has one input, <c>input</c> [batch, features], and one output, <c>output</c> [batch, outputs], both in
/// the model's element type (float32 or float64); every weight and constant is an initializer of that type.</para>
/// <para>Each module maps to the ONNX operator where opset 17 has one, else to a small composition: Dense → Gemm
/// (X·W + b, W kept in × out); Sigmoid, Tanh, Relu, LeakyRelu, PRelu, Elu, Selu, Softmax, LogSoftmax (last axis),
/// Identity directly; GELU (both forms), SiLU, Swish, Softplus with β and threshold, Mish, Softmax with a temperature,
/// RReLU (evaluation form: LeakyRelu with the mean slope) and Maxout (one Gemm per piece, then Max) composed. ONNX
/// Runtime's CPU provider has no float64 Elu, Selu, Softplus or Erf, so those are composed from Exp, Log, Where and
/// arithmetic in a float64 graph; the exact GELU, which needs Erf, cannot be exported in float64.</para>
/// <para>The graph is the model's evaluation function whatever its mode: Dropout and AlphaDropout are Identity,
/// BatchNorm1d uses its running statistics (BatchNormalization), LayerNorm is LayerNormalization over the last axis.</para>
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The ONNX operator set the graphs use.</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version the files carry.</summary>
    public const int IrVersion = 8;

    /// <summary>Writes <paramref name="model"/> as an ONNX file at <paramref name="path"/> (atomically: whole, or not at all).</summary>
    /// <exception cref="NotSupportedException">A module has no ONNX form (the message names it); nothing is written.</exception>
    public static void Export<T>(Sequential<T> model, string path) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = Build(model).ToByteArray(); // fails before the file is touched
        string full = Path.GetFullPath(path);
        string temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>Writes <paramref name="model"/> as an ONNX model to <paramref name="stream"/>.</summary>
    /// <exception cref="NotSupportedException">A module has no ONNX form (the message names it); nothing is written.</exception>
    public static void Export<T>(Sequential<T> model, Stream stream) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(stream);
        Build(model).WriteTo(stream);
    }

    private static ModelProto Build<T>(Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = new GraphBuilder<T>();
        string value = "input";
        int? features = null, outputs = null;
        foreach (var module in Flatten(model))
        {
            (features, outputs) = (features ?? InputWidth(module), OutputWidth(module) ?? outputs);
            value = graph.Add(module, value);
        }
        graph.Graph.Node.Add(new NodeProto { OpType = "Identity", Name = "output", Input = { value }, Output = { "output" } });
        graph.Graph.Input.Add(Value("input", GraphBuilder<T>.ElementType, features));
        graph.Graph.Output.Add(Value("output", GraphBuilder<T>.ElementType, outputs ?? features));
        return new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "MiniGrad",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            DocString = model.ToString(),
            Graph = graph.Graph,
            OpsetImport = { new OperatorSetIdProto { Domain = "", Version = Opset } },
        };
    }

    private static IEnumerable<Module<T>> Flatten<T>(Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T> =>
        model.Layers.SelectMany(layer => layer is Sequential<T> inner ? Flatten(inner) : [layer]);

    private static int? InputWidth<T>(Module<T> module) where T : unmanaged, IFloatingPointIeee754<T> => module switch
    {
        Dense<T> dense => dense.InFeatures,
        Maxout<T> maxout => maxout.InFeatures,
        PReLU<T> { NumParameters: > 1 } prelu => prelu.NumParameters,
        _ => null,
    };

    private static int? OutputWidth<T>(Module<T> module) where T : unmanaged, IFloatingPointIeee754<T> => module switch
    {
        Dense<T> dense => dense.OutFeatures,
        Maxout<T> maxout => maxout.OutFeatures,
        _ => null,
    };

    /// <summary>A [batch, width] tensor value: the batch always symbolic, the width known or symbolic.</summary>
    private static ValueInfoProto Value(string name, TensorProto.Types.DataType type, int? width) => new()
    {
        Name = name,
        Type = new TypeProto
        {
            TensorType = new TypeProto.Types.Tensor
            {
                ElemType = (int)type,
                Shape = new TensorShapeProto
                {
                    Dim =
                    {
                        new TensorShapeProto.Types.Dimension { DimParam = "batch" },
                        width is int known ? new TensorShapeProto.Types.Dimension { DimValue = known } : new TensorShapeProto.Types.Dimension { DimParam = "features" },
                    },
                },
            },
        },
    };

    /// <summary>Turns modules into nodes and initializers, naming every value and constant uniquely.</summary>
    private sealed class GraphBuilder<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        internal static readonly TensorProto.Types.DataType ElementType =
            typeof(T) == typeof(float) ? TensorProto.Types.DataType.Float : TensorProto.Types.DataType.Double;

        private static readonly bool IsDouble = typeof(T) == typeof(double);
        private int counter;

        internal GraphProto Graph { get; } = new() { Name = "MiniGrad" };

        /// <summary>Adds the nodes computing <paramref name="module"/> of <paramref name="x"/>; returns the name of its output.</summary>
        internal string Add(Module<T> module, string x) => module switch
        {
            Dense<T> dense => Node("Gemm", [x, Weight(dense.Weight), Vector(dense.Bias)]),
            Maxout<T> maxout => Node("Max", [.. maxout.Weights.Select((w, k) => Node("Gemm", [x, Weight(w), Vector(maxout.Biases[k])]))]),
            Identity<T> => Node("Identity", [x]),
            Sigmoid<T> => Node("Sigmoid", [x]),
            Tanh<T> => Node("Tanh", [x]),
            ReLU<T> => Node("Relu", [x]),
            LeakyReLU<T> leaky => LeakyRelu(x, leaky.Slope),
            RReLU<T> rrelu => LeakyRelu(x, rrelu.EvalSlope),
            PReLU<T> prelu => IsDouble // ONNX Runtime's PRelu is float32 only
                ? Node("Where", [Node("Greater", [x, Constant(0)]), x, Node("Mul", [x, Vector(prelu.Slope)])])
                : Node("PRelu", [x, Vector(prelu.Slope)]),
            ELU<T> elu => Exponential(x, 1, elu.Alpha),
            SELU<T> => Exponential(x, SELU<T>.Scale, SELU<T>.Alpha),
            GELU<T> { Approximate: false } => ExactGelu(x),
            GELU<T> { Approximate: true } => TanhGelu(x),
            SiLU<T> silu => Node("Mul", [x, Node("Sigmoid", [Scaled(x, silu.Beta)])]),
            Swish<T> swish => Node("Mul", [x, Node("Sigmoid", [Node("Mul", [x, Vector(swish.Beta)])])]),
            Softplus<T> softplus => Softplus(x, softplus.Beta, softplus.Threshold),
            Mish<T> => Node("Mul", [x, Node("Tanh", [SoftplusOf(x)])]),
            Softmax<T> softmax => Node("Softmax", [softmax.Temperature == 1 ? x : Node("Div", [x, Constant(softmax.Temperature)])], ("axis", -1)),
            LogSoftmax<T> => Node("LogSoftmax", [x], ("axis", -1)),
            Dropout<T> or AlphaDropout<T> => Node("Identity", [x]), // the evaluation graph: dropout does nothing there
            BatchNorm1d<T> batchNorm => BatchNorm(x, batchNorm),
            LayerNorm<T> layerNorm => LayerNorm(x, layerNorm),
            _ => throw new NotSupportedException($"ONNX export: {module} has no ONNX form; MiniGrad exports Dense, Maxout and every built-in activation."),
        };

        private string LeakyRelu(string x, double slope) =>
            IsDouble ? Node("Where", [Node("Greater", [x, Constant(0)]), x, Node("Mul", [x, Constant(slope)])]) : Node("LeakyRelu", [x], ("alpha", (float)slope));

        /// <summary>scale·x for x &gt; 0, scale·α(eˣ − 1) otherwise: Elu (scale 1) and Selu, composed in float64.</summary>
        private string Exponential(string x, double scale, double alpha)
        {
            if (!IsDouble)
                return scale == 1 ? Node("Elu", [x], ("alpha", (float)alpha)) : Node("Selu", [x], ("alpha", (float)alpha), ("gamma", (float)scale));
            var negative = Node("Mul", [Node("Sub", [Node("Exp", [Node("Min", [x, Constant(0)])]), Constant(1)]), Constant(scale * alpha)]);
            return Node("Where", [Node("Greater", [x, Constant(0)]), Scaled(x, scale), negative]);
        }

        /// <summary>BatchNormalization with the running statistics; in float64, (x − mean)·(γ/√(var + ε)) + β from arithmetic.</summary>
        private string BatchNorm(string x, BatchNorm1d<T> layer)
        {
            if (!IsDouble)
                return Node("BatchNormalization", [x, Vector(layer.Weight), Vector(layer.Bias), Vector(layer.RunningMean), Vector(layer.RunningVar)], ("epsilon", (float)layer.Eps));
            var scale = Tensor<T>.Zeros(1, layer.Features);
            for (int c = 0; c < layer.Features; c++) scale[0, c] = layer.Weight[0, c] / T.Sqrt(layer.RunningVar[0, c] + T.CreateTruncating(layer.Eps));
            return Node("Add", [Node("Mul", [Node("Sub", [x, Vector(layer.RunningMean)]), Vector(scale)]), Vector(layer.Bias)]);
        }

        /// <summary>LayerNormalization over the last axis; in float64, the same from ReduceMean and arithmetic.</summary>
        private string LayerNorm(string x, LayerNorm<T> layer)
        {
            if (!IsDouble)
                return Node("LayerNormalization", [x, Vector(layer.Weight), Vector(layer.Bias)], ("axis", -1), ("epsilon", (float)layer.Eps));
            var centred = Node("Sub", [x, Node("ReduceMean", [x], ("axes", new long[] { -1 }))]);
            var variance = Node("ReduceMean", [Node("Mul", [centred, centred])], ("axes", new long[] { -1 }));
            var normalised = Node("Div", [centred, Node("Sqrt", [Node("Add", [variance, Constant(layer.Eps)])])]);
            return Node("Add", [Node("Mul", [normalised, Vector(layer.Weight)]), Vector(layer.Bias)]);
        }

        /// <summary>x·Φ(x) = ½x(1 + erf(x/√2)).</summary>
        private string ExactGelu(string x)
        {
            if (IsDouble)
                throw new NotSupportedException("ONNX export: the exact GELU needs Erf, which ONNX Runtime has only in float32; export a float model, or use GELU(approximate: true).");
            var erf = Node("Erf", [Node("Div", [x, Constant(Math.Sqrt(2))])]);
            return Node("Mul", [Node("Mul", [x, Constant(0.5)]), Node("Add", [erf, Constant(1)])]);
        }

        /// <summary>½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
        private string TanhGelu(string x)
        {
            var cube = Node("Mul", [Node("Mul", [x, x]), x]);
            var inner = Scaled(Node("Add", [x, Scaled(cube, 0.044715)]), Math.Sqrt(2 / Math.PI));
            return Node("Mul", [Node("Mul", [x, Constant(0.5)]), Node("Add", [Node("Tanh", [inner]), Constant(1)])]);
        }

        /// <summary>ln(1 + e^(βx))/β, and x where βx &gt; threshold (PyTorch's Softplus).</summary>
        private string Softplus(string x, double beta, double threshold)
        {
            var bx = Scaled(x, beta);
            var soft = beta == 1 ? SoftplusOf(bx) : Node("Div", [SoftplusOf(bx), Constant(beta)]);
            return Node("Where", [Node("Greater", [bx, Constant(threshold)]), x, soft]);
        }

        /// <summary>ln(1 + eˣ): the Softplus operator in float32, Log(Exp + 1) in float64.</summary>
        private string SoftplusOf(string x) =>
            IsDouble ? Node("Log", [Node("Add", [Node("Exp", [x]), Constant(1)])]) : Node("Softplus", [x]);

        private string Scaled(string x, double factor) => factor == 1 ? x : Node("Mul", [x, Constant(factor)]);

        /// <summary>A node of <paramref name="op"/> with the given inputs and attributes; returns its output's name.</summary>
        private string Node(string op, string[] inputs, params (string Name, object Value)[] attributes)
        {
            string name = $"{op}_{counter++}";
            var node = new NodeProto { OpType = op, Name = name, Input = { inputs }, Output = { name } };
            foreach (var (attribute, value) in attributes)
                node.Attribute.Add(value switch
                {
                    float f => new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.Float, F = f },
                    int i => new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.Int, I = i },
                    long[] ints => new AttributeProto { Name = attribute, Type = AttributeProto.Types.AttributeType.Ints, Ints = { ints } },
                    _ => throw new ArgumentException($"attribute {attribute} of type {value.GetType()}"),
                });
            Graph.Node.Add(node);
            return name;
        }

        /// <summary>An initializer holding <paramref name="values"/> with dimensions <paramref name="dims"/>; returns its name.</summary>
        private string Initializer(string kind, ReadOnlySpan<T> values, params long[] dims)
        {
            string name = $"{kind}_{counter++}";
            Graph.Initializer.Add(new TensorProto
            {
                Name = name,
                DataType = (int)ElementType,
                Dims = { dims },
                RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values)), // little-endian, as ONNX stores raw data
            });
            return name;
        }

        /// <summary>An in × out weight as a [in, out] initializer, Gemm's B.</summary>
        private string Weight(Tensor<T> weight) => Initializer("weight", weight.AsSpan(), weight.Rows, weight.Cols);

        /// <summary>A 1 × n row as an [n] initializer, which broadcasts over the batch.</summary>
        private string Vector(Tensor<T> row) => Initializer("vector", row.AsSpan(), row.Cols);

        /// <summary>A scalar constant, as a [1] initializer that broadcasts.</summary>
        private string Constant(double value) => Initializer("constant", [T.CreateTruncating(value)], 1);
    }
}
