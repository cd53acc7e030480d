using System.Globalization;
using System.Text;

namespace MiniGrad.Diagnostics;

/// <summary>What a <see cref="GradientFlowMonitor{T}"/> measured in one training step, one entry per layer from input to output.</summary>
/// <param name="Layers">The layers, in forward order.</param>
public sealed record GradientFlowReport(IReadOnlyList<LayerGradientFlow> Layers)
{
    /// <summary>
    /// A table with one row per layer, for the console; "—" where a value does not apply (no element-wise activation, as
    /// for the output layer) or was not measured (no gradient reached the layer).
    /// </summary>
    public override string ToString()
    {
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(" #  layer              activation   mean|f'|  inactive   dead  satur.     ‖∂L/∂z‖  parameter gradient norms");
        foreach (var layer in Layers)
        {
            string parameters = string.Join("  ", layer.Parameters.Select(p => string.Create(culture, $"{p.Name} {p.GradientNorm:0.###e+0}")));
            text.AppendLine(string.Create(culture,
                $"{layer.Number,2}  {Clip(layer.Layer, 18),-18} {Clip(layer.Activation ?? "—", 12),-12} {Show(layer.MeanAbsDerivative, "0.0000"),8} {Show(layer.InactiveFraction, "P0"),9} {Show(layer.DeadFraction, "P0"),6} {Show(layer.SaturatedFraction, "P0"),7} {Show(layer.GradientNorm, "0.###e+0"),11}  {parameters}"));
        }
        return text.ToString();
    }

    private static string Show(double value, string format) => double.IsNaN(value) ? "—" : value.ToString(format, CultureInfo.InvariantCulture);

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}

/// <summary>One layer of a <see cref="GradientFlowReport"/>.</summary>
/// <param name="Number">The layer's position, from 1 at the input (as every report, table and picture numbers layers).</param>
/// <param name="Layer">The module with parameters, e.g. <c>Dense(2 → 8)</c> (or the activation, for a layer that is only one).</param>
/// <param name="Activation">The activation after it, e.g. <c>ReLU</c>; null when there is none (an output layer).</param>
/// <param name="MeanAbsDerivative">Mean of |f'(z)| over every element of the batch; NaN without an element-wise activation.</param>
/// <param name="InactiveFraction">The fraction of units whose pre-activation z ≤ 0 for every example of the batch (on the
/// flat or leaky side of a ReLU-like activation); NaN without an element-wise activation.</param>
/// <param name="InactiveMeanAbsDerivative">Mean |f'(z)| over the inactive units' elements: the share of the gradient they still
/// pass (0 for ReLU, the slope for LeakyReLU); NaN when no unit is inactive.</param>
/// <param name="DeadFraction">The fraction of units with f'(z) = 0 for every example of the batch, which pass no gradient at
/// all (only an activation with a flat region, such as ReLU, has them); NaN without an element-wise activation.</param>
/// <param name="SaturatedFraction">The fraction of units with |f'(z)| &lt; 1e-3 for every example of the batch; NaN without an element-wise activation.</param>
/// <param name="GradientNorm">‖∂L/∂z‖₂, z the activation's input (the layer's output when it has none); NaN when no gradient reached it.</param>
/// <param name="Parameters">Each parameter's gradient norm, named as in <see cref="Layers.Module{T}.NamedParameters"/>.</param>
/// <param name="InactiveUnits">For each unit (column), whether it is inactive; empty without an element-wise activation.</param>
public sealed record LayerGradientFlow(
    int Number, string Layer, string? Activation,
    double MeanAbsDerivative, double InactiveFraction, double InactiveMeanAbsDerivative, double DeadFraction, double SaturatedFraction,
    double GradientNorm, IReadOnlyList<ParameterGradient> Parameters, IReadOnlyList<bool> InactiveUnits);

/// <summary>A parameter's gradient norm ‖∂L/∂p‖₂ (0 before any gradient has reached it).</summary>
/// <param name="Name">As <see cref="Layers.Module{T}.NamedParameters"/> names it, e.g. <c>0.weight</c>.</param>
/// <param name="Shape">The parameter's shape, e.g. <c>2x8</c>.</param>
/// <param name="GradientNorm">‖∂L/∂p‖₂.</param>
public sealed record ParameterGradient(string Name, string Shape, double GradientNorm);
