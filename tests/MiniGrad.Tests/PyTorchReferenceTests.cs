using System.Numerics;
using System.Text.Json;
using MiniGrad.Layers;

namespace MiniGrad.Tests;

/// <summary>
/// MiniGrad against PyTorch: values and gradients of every activation at fixed points from −1000 to 1000 (kinks,
/// saturation, thresholds and the GELU/SiLU/Mish minima among them), in float and double, through the tape.
/// The numbers come from PyTorch itself, by Reference/pytorch_reference.py.
/// </summary>
[Trait("Category", "Kernels")]
public class PyTorchReferenceTests
{
    private sealed record Case(string Name, string Type, double[][] X, double[][] Weights, double[][] Y, double[][] Dx, double[]? Parameter, double[]? Dparameter);

    private static readonly Case[] Cases = Load();

    private static Case[] Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Reference", "pytorch-activations.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        return document.RootElement.GetProperty("cases").Deserialize<Case[]>(options)!;
    }

    public static TheoryData<string, string> CaseNames
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var c in Cases) data.Add(c.Name, c.Type);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Values_and_gradients_match_PyTorch(string name, string type)
    {
        var reference = Cases.Single(c => c.Name == name && c.Type == type);
        if (type == "double") Matches<double>(reference, 1e-14);
        else Matches<float>(reference, 2e-6);
    }

    private static void Matches<T>(Case reference, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = reference.X.Length, cols = reference.X[0].Length;
        Tensor<T> FromRows(double[][] values) => Tensor<T>.FromArray(rows, cols, values.SelectMany(row => row).Select(T.CreateTruncating).ToArray());

        Module<T> activation = ActivationCases.CreateModule<T>(reference.Name, features: cols);
        var x = FromRows(reference.X);
        x.RequiresGrad = true;
        using var tape = new Tape();
        var y = activation.Forward(x);
        var values = y.Detach();
        tape.Backward((y * FromRows(reference.Weights)).Sum());

        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
            {
                string at = $"{reference.Name} ({reference.Type}) at x = {reference.X[r][c]}";
                Numerics.Close(T.CreateTruncating(reference.Y[r][c]), values[r, c], tolerance, $"{at}: value");
                Numerics.Close(T.CreateTruncating(reference.Dx[r][c]), x.Grad![r, c], tolerance, $"{at}: gradient");
            }
        if (reference.Dparameter is { } dparameter)
        {
            var parameter = Assert.Single(activation.Parameters());
            Assert.Equal(reference.Parameter![0], double.CreateTruncating(parameter[0, 0]), 1e-7);
            // A sum over 25 points of mixed sign: allow for the different order of summation.
            Numerics.Close(T.CreateTruncating(dparameter[0]), parameter.Grad![0, 0], tolerance * 100, $"{reference.Name} ({reference.Type}): parameter gradient");
        }
    }
}
