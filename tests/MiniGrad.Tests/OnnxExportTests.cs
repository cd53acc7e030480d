using System.Numerics;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MiniGrad.Activations;
using MiniGrad.Onnx;

namespace MiniGrad.Tests;

/// <summary>
/// Every exported model runs in ONNX Runtime and gives MiniGrad's own outputs (within 1e-5) at batch sizes 1 and 37, in
/// float32 and, where ONNX Runtime's CPU kernels allow, float64.
/// </summary>
public class OnnxExportTests
{
    /// <summary>Each module MiniGrad exports, between two dense layers so that it sees varied, signed inputs.</summary>
    public static TheoryData<string> Modules => new(
        "Dense", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "PReLU", "PReLU(per feature)", "RReLU", "ELU", "SELU", "GELU",
        "GELU(tanh)", "SiLU", "Swish", "Softplus", "Softplus(2, 1)", "Mish", "Softmax", "Softmax(0.5)", "LogSoftmax",
        "Identity", "Maxout", "Dropout", "AlphaDropout", "BatchNorm1d", "LayerNorm");

    private static Sequential<T> Model<T>(string name) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(name.GetHashCode(StringComparison.Ordinal) & 0xffff);
        Module<T> middle = name switch
        {
            "Dense" => new Dense<T>(6, 6, rng),
            "Sigmoid" => new Sigmoid<T>(),
            "Tanh" => new Tanh<T>(),
            "ReLU" => new ReLU<T>(),
            "LeakyReLU" => new LeakyReLU<T>(0.1),
            "PReLU" => new PReLU<T>(0.3),
            "PReLU(per feature)" => PerFeature<T>(),
            "RReLU" => new RReLU<T>(0.1, 0.4, rng),
            "ELU" => new ELU<T>(0.8),
            "SELU" => new SELU<T>(),
            "GELU" => new GELU<T>(),
            "GELU(tanh)" => new GELU<T>(approximate: true),
            "SiLU" => new SiLU<T>(1.3),
            "Swish" => new Swish<T>(0.7),
            "Softplus" => new Softplus<T>(),
            "Softplus(2, 1)" => new Softplus<T>(beta: 2, threshold: 1),
            "Mish" => new Mish<T>(),
            "Softmax" => new Softmax<T>(),
            "Softmax(0.5)" => new Softmax<T>(temperature: 0.5),
            "LogSoftmax" => new LogSoftmax<T>(),
            "Identity" => new Identity<T>(),
            "Maxout" => new Maxout<T>(6, 6, 3, rng),
            "Dropout" => new Dropout<T>(0.5, rng),
            "AlphaDropout" => new AlphaDropout<T>(0.5, rng),
            "BatchNorm1d" => TrainedBatchNorm<T>(rng),
            "LayerNorm" => Shuffled(new LayerNorm<T>(6), rng),
            _ => throw new ArgumentException(name),
        };
        var model = new Sequential<T>(new Dense<T>(4, 6, WeightInit.HeNormal, rng), middle, new Dense<T>(6, 3, rng));
        model.Eval();
        return model;
    }

    /// <summary>A BatchNorm1d with varied γ and β whose running statistics have seen three training batches.</summary>
    private static BatchNorm1d<T> TrainedBatchNorm<T>(Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layer = new BatchNorm1d<T>(6);
        Shuffled(layer, rng);
        for (int i = 0; i < 3; i++) layer.Forward(Tensor<T>.RandomNormal(16, 6, 1, 3, rng));
        return layer;
    }

    /// <summary>The module with every parameter drawn from N(0.5, 1), so that γ and β are not the identity.</summary>
    private static Module<T> Shuffled<T>(Module<T> module, Random rng) where T : unmanaged, IFloatingPointIeee754<T>
    {
        foreach (var parameter in module.Parameters()) Tensor<T>.RandomNormal(parameter.Rows, parameter.Cols, 0.5, 1, rng).AsSpan().CopyTo(parameter.AsSpan());
        return module;
    }

    private static PReLU<T> PerFeature<T>() where T : unmanaged, IFloatingPointIeee754<T>
    {
        var prelu = new PReLU<T>(numParameters: 6);
        for (int c = 0; c < 6; c++) prelu.Slope[0, c] = T.CreateTruncating(0.05 * c - 0.1);
        return prelu;
    }

    [Theory]
    [MemberData(nameof(Modules))]
    public void Float_models_run_in_ONNX_Runtime_as_in_MiniGrad(string name) => Matches<float>(Model<float>(name));

    [Theory]
    [MemberData(nameof(Modules))]
    public void Double_models_run_in_ONNX_Runtime_as_in_MiniGrad(string name)
    {
        var model = Model<double>(name);
        if (name == "GELU")
        {
            var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, new MemoryStream()));
            Assert.Contains("Erf", error.Message);
            return;
        }
        Matches(model);
    }

    private static void Matches<T>(Sequential<T> model) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var stream = new MemoryStream();
        OnnxExporter.Export(model, stream);
        using var session = new InferenceSession(stream.ToArray());
        Assert.Equal(["input"], session.InputMetadata.Keys);
        Assert.Equal(["output"], session.OutputMetadata.Keys);
        Assert.Equal(-1, session.InputMetadata["input"].Dimensions[0]); // the batch is symbolic

        foreach (int batch in new[] { 1, 37 })
        {
            var x = Tensor<T>.RandomNormal(batch, 4, 0, 2, new Random(batch));
            var expected = model.Forward(x);
            var input = new DenseTensor<T>(x.AsSpan().ToArray(), [batch, 4]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", input)]);
            var output = results.Single().AsTensor<T>();
            Assert.Equal([batch, 3], output.Dimensions.ToArray());
            for (int r = 0; r < batch; r++)
                for (int c = 0; c < 3; c++)
                    Numerics.Close(expected[r, c], output[r, c], 1e-5, $"{model} at batch {batch}, [{r}, {c}]");
        }
    }

    [Fact]
    public void The_file_carries_opset_17_and_IR_version_8_and_a_path_export_is_whole()
    {
        string path = Path.Combine(Path.GetTempPath(), $"minigrad-{Guid.NewGuid():N}.onnx");
        OnnxExporter.Export(Model<float>("Tanh"), path);
        var model = MiniGrad.Onnx.Protocol.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(17, Assert.Single(model.OpsetImport).Version);
        Assert.Equal("batch", model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
        Assert.Equal(4, model.Graph.Input[0].Type.TensorType.Shape.Dim[1].DimValue);
        File.Delete(path);
    }

    /// <summary>A module of one's own, which has no ONNX form.</summary>
    private sealed class Doubling : Module<float>
    {
        public override Tensor<float> Forward(Tensor<float> x) => x * 2f;
    }

    [Fact]
    public void An_unsupported_module_is_refused_by_name_before_anything_is_written()
    {
        string path = Path.Combine(Path.GetTempPath(), $"minigrad-{Guid.NewGuid():N}.onnx");
        var model = new Sequential<float>(new Dense<float>(2, 2, new Random(0)), new Doubling());
        var error = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model, path));
        Assert.Contains("Doubling", error.Message);
        Assert.False(File.Exists(path));
    }
}
