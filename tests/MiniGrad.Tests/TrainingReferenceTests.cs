using System.Numerics;
using System.Text.Json;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Tests;

/// <summary>
/// The training pieces against PyTorch itself: the losses (values and gradients), BatchNorm1d (training output and
/// gradients, running statistics, evaluation), LayerNorm, <c>clip_grad_norm_</c>, the learning-rate schedulers epoch by
/// epoch, and a PyTorch state_dict with a BatchNorm1d. The numbers come from Reference/pytorch_training.py.
/// </summary>
public class TrainingReferenceTests
{
    private static readonly JsonElement Reference = Load("pytorch-training.json");

    private static JsonElement Load(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", file)));
        return document.RootElement.Clone();
    }

    private static Tensor<T> Matrix<T>(JsonElement rows, bool requiresGrad = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = rows.Deserialize<double[][]>()!;
        var result = Tensor<T>.Zeros(values.Length, values[0].Length, requiresGrad);
        for (int r = 0; r < values.Length; r++)
            for (int c = 0; c < values[r].Length; c++) result[r, c] = T.CreateTruncating(values[r][c]);
        return result;
    }

    /// <summary>A PyTorch vector (saved as one row of n) as a 1 × n tensor.</summary>
    private static Tensor<T> Row<T>(JsonElement vector) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var values = vector.Deserialize<double[][]>()!.SelectMany(v => v).ToArray();
        return Tensor<T>.FromArray(1, values.Length, values.Select(T.CreateTruncating).ToArray());
    }

    /// <summary>PyTorch saves a vector [n] as n rows of one; this reads it as one row.</summary>
    private static Tensor<double> Vector(JsonElement vector) => Row<double>(vector);

    public static TheoryData<string> LossCases => [.. Reference.GetProperty("losses").EnumerateObject().Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(LossCases))]
    public void Losses_match_PyTorch_in_value_and_gradient(string name)
    {
        Check<double>(name, 1e-12);
        Check<float>(name, 2e-5);

        static void Check<T>(string name, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
        {
            var reference = Reference.GetProperty("losses").GetProperty(name);
            var input = Matrix<T>(reference.GetProperty("input"), requiresGrad: true);
            double[] weights = [0.5, 2.0, 1.0, 0.25]; // as in the script
            Tensor<T> loss;
            using (var tape = new Tape())
            {
                if (name.StartsWith("cross_entropy") || name.StartsWith("nll"))
                {
                    int[] labels = reference.GetProperty("target").Deserialize<int[]>()!;
                    IClassificationLoss<T> function = name switch
                    {
                        "cross_entropy" => new CrossEntropyLoss<T>(),
                        "cross_entropy_weights" => new CrossEntropyLoss<T>(weights),
                        "cross_entropy_smoothing" => new CrossEntropyLoss<T>(labelSmoothing: 0.1),
                        "cross_entropy_weights_smoothing" => new CrossEntropyLoss<T>(weights, labelSmoothing: 0.2),
                        "nll" => new NLLLoss<T>(),
                        _ => new NLLLoss<T>(weights),
                    };
                    loss = function.Forward(input, labels);
                }
                else
                {
                    var target = Matrix<T>(reference.GetProperty("target"));
                    IRegressionLoss<T> function = name switch
                    {
                        "l1" => new L1Loss<T>(),
                        "huber" => new HuberLoss<T>(),
                        "huber_delta_0.5" => new HuberLoss<T>(delta: 0.5),
                        _ => new MSELoss<T>(),
                    };
                    loss = function.Forward(input, target);
                }
                tape.Backward(loss);
            }
            Numerics.Close(reference.GetProperty("value").GetDouble(), double.CreateTruncating(loss.Item), tolerance, $"{name} ({typeof(T).Name}) value");
            Numerics.Close(Matrix<T>(reference.GetProperty("grad")), input.Grad!, tolerance);
        }
    }

    [Fact]
    public void BatchNorm1d_matches_PyTorch_in_training_in_its_running_statistics_and_in_evaluation()
    {
        var reference = Reference.GetProperty("batchnorm");
        var layer = new BatchNorm1d<double>(3);
        MatchesInTraining(layer, reference);
        Numerics.Close(Vector(reference.GetProperty("running_mean_1")), layer.RunningMean, 1e-12);
        Numerics.Close(Vector(reference.GetProperty("running_var_1")), layer.RunningVar, 1e-12);

        layer.Forward(Matrix<double>(reference.GetProperty("x2")));
        Numerics.Close(Vector(reference.GetProperty("running_mean_2")), layer.RunningMean, 1e-12);
        Numerics.Close(Vector(reference.GetProperty("running_var_2")), layer.RunningVar, 1e-12);
        Assert.Equal(2, layer.NumBatchesTracked);

        layer.Eval();
        Numerics.Close(Matrix<double>(reference.GetProperty("eval")), layer.Forward(Matrix<double>(reference.GetProperty("probe"))), 1e-12);
        Assert.Equal(2, layer.NumBatchesTracked); // evaluation leaves the statistics alone
    }

    [Fact]
    public void LayerNorm_matches_PyTorch_in_value_and_gradient() => MatchesInTraining(new LayerNorm<double>(5), Reference.GetProperty("layernorm"));

    /// <summary>
    /// Sets a normalisation layer's γ and β from the reference, runs its x forward (in training mode) and its upstream
    /// gradient back, and compares y, dx, dγ and dβ with PyTorch's.
    /// </summary>
    private static void MatchesInTraining(Module<double> layer, JsonElement reference)
    {
        var named = layer.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        Row<double>(reference.GetProperty("weight")).AsSpan().CopyTo(named["weight"].AsSpan());
        Row<double>(reference.GetProperty("bias")).AsSpan().CopyTo(named["bias"].AsSpan());
        var x = Matrix<double>(reference.GetProperty("x"), requiresGrad: true);
        using (var tape = new Tape())
        {
            var y = layer.Forward(x);
            Numerics.Close(Matrix<double>(reference.GetProperty("y")), y, 1e-12);
            tape.Backward(y, Matrix<double>(reference.GetProperty("upstream")));
        }
        Numerics.Close(Matrix<double>(reference.GetProperty("dx")), x.Grad!, 1e-12);
        Numerics.Close(Vector(reference.GetProperty("dweight")), named["weight"].Grad!, 1e-12);
        Numerics.Close(Vector(reference.GetProperty("dbias")), named["bias"].Grad!, 1e-12);
    }

    [Fact]
    public void Clipping_by_global_norm_matches_clip_grad_norm()
    {
        foreach (var reference in Reference.GetProperty("clipping").EnumerateArray())
        {
            var grads = reference.GetProperty("grads").EnumerateArray().ToArray();
            var clipped = reference.GetProperty("clipped").EnumerateArray().ToArray();
            var gradients = grads.Select(g => Matrix<double>(g)).ToArray();
            var parameters = gradients.Select(g => Tensor<double>.Zeros(g.Rows, g.Cols, requiresGrad: true)).ToArray();
            using (var tape = new Tape()) // L = Σᵢ Σ pᵢ ⊙ gᵢ, so ∂L/∂pᵢ = gᵢ
                tape.Backward(parameters.Select((p, i) => (p * gradients[i]).Sum()).Aggregate((a, b) => a + b));

            double norm = GradientClipping.ClipGlobalNorm(parameters, reference.GetProperty("max_norm").GetDouble());

            Numerics.Close(reference.GetProperty("norm").GetDouble(), norm, 1e-12, "norm before clipping");
            for (int i = 0; i < parameters.Length; i++) Numerics.Close(Matrix<double>(clipped[i]), parameters[i].Grad!, 1e-12);
        }
    }

    public static TheoryData<string> ScheduleCases => [.. Reference.GetProperty("schedules").EnumerateObject().Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(ScheduleCases))]
    public void Schedules_give_PyTorchs_rate_at_every_epoch_through_a_scheduler(string name)
    {
        var expected = Reference.GetProperty("schedules").GetProperty(name).Deserialize<double[]>()!;
        Schedule schedule = name switch
        {
            "StepLR(3, 0.5)" => new StepLR(3, 0.5),
            "ExponentialLR(0.9)" => new ExponentialLR(0.9),
            "CosineAnnealingLR(10, 0.001)" => new CosineAnnealingLR(10, 0.001),
            "LinearWarmup(4, 0.25)" => new LinearWarmup(4, 0.25),
            "LinearWarmup(4, 0.25).Then(4, CosineAnnealingLR(8))" => new LinearWarmup(4, 0.25).Then(4, new CosineAnnealingLR(8)),
            _ => new ExponentialLR(0.9).Times(new StepLR(3, 0.5)),
        };
        var optimizer = new SGD<float>([Tensor<float>.Zeros(1, 1, requiresGrad: true)], lr: 0.1);
        var scheduler = new Scheduler<float>(optimizer, schedule);
        for (int epoch = 0; epoch < expected.Length; epoch++)
        {
            Numerics.Close(expected[epoch], optimizer.LearningRate, 1e-12, $"{name} at epoch {epoch}");
            scheduler.Step();
        }
    }

    [Fact]
    public void A_PyTorch_network_with_BatchNorm1d_loads_with_its_running_statistics_and_batch_count()
    {
        var reference = Load("pytorch-batchnorm.json");
        var model = new Sequential<float>(new Dense<float>(3, 4, new Random(1)), new BatchNorm1d<float>(4), new Activations.ReLU<float>(), new Dense<float>(4, 2, new Random(2)));
        model.LoadWeights(Path.Combine(AppContext.BaseDirectory, "Reference", "pytorch-batchnorm.safetensors"));
        model.Eval();
        var batchNorm = (BatchNorm1d<float>)model.Children[1].Module;
        Assert.Equal(reference.GetProperty("num_batches_tracked").GetInt64(), batchNorm.NumBatchesTracked);
        Assert.NotEqual(0f, batchNorm.RunningMean[0, 0]);
        Numerics.Close(Matrix<float>(reference.GetProperty("output")), model.Forward(Matrix<float>(reference.GetProperty("input"))), 1e-5);
    }
}
