using System.Globalization;
using System.Reflection;
using MiniGrad.Activations;
using MiniGrad.Losses;
using MiniGrad.Optimizers;

namespace MiniGrad.Tests;

/// <summary>One convention per API shape: double hyperparameters, the Random last, culture-invariant texts, one registry.</summary>
public class ConventionTests
{
    private static readonly Type[] PublicTypes = typeof(Tensor<>).Assembly.GetExportedTypes();

    [Fact]
    public void Hyperparameters_are_double_and_only_learned_values_are_tensors()
    {
        // On the open generic types a property or constructor parameter typed T itself shows up as the generic parameter.
        var typedT = PublicTypes
            .Where(type => type.Namespace is "MiniGrad.Activations" or "MiniGrad.Layers" or "MiniGrad.Losses" or "MiniGrad.Optimizers")
            .SelectMany(type => type.GetProperties().Where(p => p.PropertyType.IsGenericParameter).Select(p => $"{type.Name}.{p.Name}")
                .Concat(type.GetConstructors().SelectMany(c => c.GetParameters()).Where(p => p.ParameterType.IsGenericParameter).Select(p => $"{type.Name}({p.Name})")))
            .ToList();
        Assert.True(typedT.Count == 0, "Typed T where a double belongs: " + string.Join(", ", typedT));
        Assert.Equal(typeof(double), typeof(LeakyReLU<float>).GetProperty("Slope")!.PropertyType);
        Assert.Equal(typeof(Tensor<float>), typeof(PReLU<float>).GetProperty("Slope")!.PropertyType);
    }

    [Fact]
    public void A_Random_is_always_the_last_parameter()
    {
        var misplaced = PublicTypes
            .SelectMany(type => type.GetConstructors().Cast<MethodBase>().Concat(type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                .Select(member => (type, member, parameters: member.GetParameters())))
            .Where(m => m.parameters.Any(p => p.ParameterType == typeof(Random)))
            .Where(m =>
            {
                int at = Array.FindIndex(m.parameters, p => p.ParameterType == typeof(Random));
                // Only a tensor factory's optional requiresGrad flag may follow it.
                return m.parameters.Skip(at + 1).Any(p => !(p.Name == "requiresGrad" && p.IsOptional));
            })
            .Select(m => $"{m.type.Name}.{m.member.Name}({string.Join(", ", m.parameters.Select(p => p.Name))})")
            .ToList();
        Assert.True(misplaced.Count == 0, "Random not last: " + string.Join("; ", misplaced));
    }

    [Fact]
    public void Names_and_messages_do_not_depend_on_the_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = new CultureInfo("de-DE"); // writes 0,5
            Assert.Equal("0,5", 0.5.ToString(CultureInfo.CurrentCulture));

            Assert.Equal("LeakyReLU(slope: 0.01)", new LeakyReLU<float>(0.01).ToString());
            Assert.Equal("ELU(alpha: 0.5)", new ELU<double>(0.5).ToString());
            Assert.Equal("Softplus(beta: 2.5, threshold: 10)", new Softplus<double>(2.5, 10).ToString());
            Assert.Equal("Softmax(temperature: 0.5)", new Softmax<float>(0.5).ToString());
            Assert.Equal("SiLU(beta: 1.5)", new SiLU<float>(1.5).ToString());
            Assert.Equal("RReLU(lower: 0.125, upper: 0.25)", new RReLU<double>(0.125, 0.25).ToString());
            Assert.Equal("Swish(beta: 0.75)", new Swish<double>(0.75).ToString());
            Assert.Equal("tensor([[0.5, -1.25]], 1x2)", Tensor<double>.FromArray(new[,] { { 0.5, -1.25 } }).ToString());

            Assert.Contains("got -1.5", Assert.Throws<ArgumentOutOfRangeException>(() => new Softmax<float>(-1.5)).Message);
            Assert.Contains("got -0.5", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam<float>([Tensor<float>.Ones(1, 1, requiresGrad: true)], lr: -0.5)).Message);
            Assert.Contains("momentum 0.1, dampening 1.5", Assert.Throws<ArgumentException>(() => new SGD<float>([Tensor<float>.Ones(1, 1, requiresGrad: true)], momentum: 0.1, dampening: 1.5, nesterov: true)).Message);
            Assert.Contains("is 1.5", Assert.Throws<ArgumentException>(() => new BCELoss<double>().Forward(Tensor<double>.Full(1, 1, 1.5), Tensor<double>.Ones(1, 1))).Message);
            var check = GradCheck.Check(() => (Tensor<double>.Full(1, 1, 0.5) * 0.5).Sum(), Tensor<double>.Full(1, 1, 0.5, requiresGrad: true));
            Assert.DoesNotContain(",", check.ToString().Split("elements;")[1].Replace(", ", " "));
        }
        finally
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = saved;
        }
    }

    /// <summary>A residual block, y = x + scale ⊙ f(x·W + b), written the way the README tells users to write a module.</summary>
    private sealed class Residual : Module<double>
    {
        private readonly Dense<double> body;
        private readonly Tanh<double> activation;
        private readonly Tensor<double> scale;

        public Residual(int width, Random rng)
        {
            body = RegisterModule("body", new Dense<double>(width, width, rng));
            activation = RegisterModule("activation", new Tanh<double>());
            scale = RegisterParameter("scale", Tensor<double>.Full(1, width, 0.5, requiresGrad: true));
        }

        public override Tensor<double> Forward(Tensor<double> x) => x + scale * activation.Forward(body.Forward(x));
    }

    [Fact]
    public void A_custom_module_registers_once_and_everything_reads_the_registry()
    {
        var rng = new Random(3);
        var model = new Sequential<double>(new Dense<double>(2, 4, rng), new Residual(4, rng), new Dense<double>(4, 1, rng));

        Assert.Equal(["0.weight", "0.bias", "1.scale", "1.body.weight", "1.body.bias", "2.weight", "2.bias"], model.NamedParameters().Select(p => p.Name));
        Assert.Equal(model.NamedParameters().Select(p => p.Parameter), model.Parameters());
        Assert.Equal("Sequential(Dense(2 → 4), Residual(body: Dense(4 → 4), activation: Tanh), Dense(4 → 1))", model.ToString());
        var residual = (Residual)model[1];
        Assert.Equal(["body", "activation"], residual.Children.Select(c => c.Name));

        model.Eval();
        Assert.False(residual.Children[0].Module.IsTraining); // modes reach registered children
        model.Train();
        Assert.True(residual.Children[1].Module.IsTraining);

        // Gradients reach every registered parameter, and the residual block's are right.
        var x = Tensor<double>.RandomNormal(5, 2, rng);
        var check = GradCheck.Check(() => model.Forward(x).Square().Mean(), [.. model.Parameters()]);
        Assert.True(check.Passed, check.ToString());

        var error = Assert.Throws<ArgumentException>(() => new Twice());
        Assert.Contains("'weight' is registered already", error.Message);
    }

    private sealed class Twice : Module<double>
    {
        public Twice()
        {
            RegisterParameter("weight", Tensor<double>.Ones(1, 1, requiresGrad: true));
            RegisterParameter("weight", Tensor<double>.Ones(1, 1, requiresGrad: true));
        }

        public override Tensor<double> Forward(Tensor<double> x) => x;
    }
}
