using System.Numerics;
using System.Numerics.Tensors;
using MiniGrad.Activations;
using MiniGrad.Layers;

namespace MiniGrad.Diagnostics;

/// <summary>
/// Watches how the gradient flows back through a <see cref="Sequential{T}"/> model, layer by layer, like the
/// gradient histograms of TensorBoard: attach it, train as usual, and call <see cref="Report"/> after
/// <c>tape.Backward(loss)</c> (before <c>ZeroGrad</c>).
/// </summary>
/// <remarks>
/// <code>
/// using var monitor = new GradientFlowMonitor&lt;float&gt;(model);
/// using (var tape = new Tape()) { tape.Backward(lossFunction.Forward(model.Forward(x), y)); }
/// Console.WriteLine(monitor.Report());   // per layer: mean |f'|, dead and saturated units, ‖∂L/∂z‖, ‖∂L/∂W‖ …
/// </code>
/// <para>A <em>layer</em> is a module with parameters (a <see cref="Dense{T}"/>, a <see cref="Maxout{T}"/>) together with the
/// activation that follows it; an activation with no such module before it is a layer of its own. For a layer whose
/// activation is f and whose pre-activation (the activation's input) is z, over the batch of the last training
/// forward pass:</para>
/// <list type="bullet">
/// <item>mean |f'(z)|: how much the activation scales the gradient on average (σ' ≤ 1/4, so a sigmoid layer divides it by 4 or more);</item>
/// <item>inactive: the fraction of units (columns) with z ≤ 0 for every example, and the mean |f'(z)| they still pass back
/// (0 for ReLU, the slope for LeakyReLU): comparable across activations, since every one has a negative side;</item>
/// <item>dead: the fraction of units with f'(z) = 0 for every example, which therefore pass no gradient back (only an
/// activation with a flat region, such as ReLU, can have them);</item>
/// <item>saturated: the fraction of units with |f'(z)| &lt; <see cref="SaturationThreshold"/> for every example (dead units included);</item>
/// <item>‖∂L/∂z‖: the L2 norm of the gradient reaching the activation's input (the layer's output when it has no activation);</item>
/// <item>‖∂L/∂p‖ for each parameter p, read when <see cref="Report"/> is called.</item>
/// </list>
/// <para>f'(z) is computed with the activation's own backward kernel, so it is the derivative training applies. The
/// monitor looks only at forward passes run while a tape is open (training passes, not inference). Detached (or never
/// attached), it costs the model one null check per forward pass. It works for the modules of the model it is attached
/// to; a nested <see cref="Sequential{T}"/> counts as one layer.</para>
/// </remarks>
public sealed class GradientFlowMonitor<T> : IForwardObserver<T>, IDisposable where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>|f'| below this counts as saturated: 1e-3.</summary>
    public const double SaturationThreshold = 1e-3;

    private readonly Sequential<T> model;
    private readonly LayerState[] layers;
    private readonly LayerState[] layerOfModule;
    private T[] derivative = [];
    private bool attached;

    /// <summary>Attaches a monitor to <paramref name="model"/>.</summary>
    /// <exception cref="InvalidOperationException">The model already has a monitor attached.</exception>
    public GradientFlowMonitor(Sequential<T> model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Observer is not null)
            throw new InvalidOperationException($"{model} already has a gradient-flow monitor attached; dispose it first.");
        this.model = model;
        layers = Group(model.Layers);
        layerOfModule = new LayerState[model.Layers.Count];
        foreach (var layer in layers)
            for (int i = layer.First; i <= layer.Last; i++) layerOfModule[i] = layer;
        model.Observer = this;
        attached = true;
    }

    /// <summary>
    /// The numbers of the last training step, one entry per layer: what the forward pass saw and, when backward has run
    /// since, the gradient norms. A layer's gradient norm is NaN when no gradient has reached it in that step.
    /// </summary>
    public GradientFlowReport Report() => new(layers.Select(layer => layer.Snapshot()).ToArray());

    /// <summary>Detaches the monitor; the model runs as if it had never been attached.</summary>
    public void Dispose()
    {
        if (!attached) return;
        model.Observer = null;
        attached = false;
    }

    void IForwardObserver<T>.Observe(int index, Tensor<T> input, Tensor<T> output)
    {
        if (!Tape.IsRecording) return;
        var layer = layerOfModule[index];
        if (index == layer.First) layer.Reset();
        if (index == layer.ActivationIndex)
        {
            if (layer.Activation is IElementwise<T> activation) Measure(layer, activation, input, output);
            Hook(input, layer);
        }
        else if (layer.ActivationIndex < 0 && index == layer.Last)
        {
            Hook(output, layer);
        }
    }

    private static void Hook(Tensor<T> tensor, LayerState layer)
    {
        layer.GradientNorm = double.NaN;
        if (tensor.Node is { } node) node.OnGradient = layer.OnGradient;
    }

    /// <summary>Mean |f'(z)|, and the inactive, dead and saturated units, over the batch z.</summary>
    private void Measure(LayerState layer, IElementwise<T> activation, Tensor<T> z, Tensor<T> y)
    {
        int length = z.Length, rows = z.Rows, cols = z.Cols;
        if (derivative.Length < length) derivative = new T[length];
        var d = derivative.AsSpan(0, length);
        activation.Derivatives(z, y, d);

        double sum = 0, inactiveSum = 0;
        int dead = 0, saturated = 0;
        var inactive = new bool[cols];
        T threshold = T.CreateTruncating(SaturationThreshold);
        for (int c = 0; c < cols; c++)
        {
            bool allZero = true, allSmall = true, allNonPositive = true;
            double columnSum = 0;
            for (int r = 0; r < rows; r++)
            {
                T magnitude = T.Abs(d[r * cols + c]);
                columnSum += double.CreateTruncating(magnitude);
                allZero &= magnitude == T.Zero;
                allSmall &= magnitude < threshold;
                allNonPositive &= z.Span[r * cols + c] <= T.Zero;
            }
            sum += columnSum;
            if (allZero) dead++;
            if (allSmall) saturated++;
            if (allNonPositive && rows > 0)
            {
                inactive[c] = true;
                inactiveSum += columnSum;
            }
        }
        int inactiveCount = inactive.Count(i => i);
        layer.MeanAbsDerivative = length == 0 ? double.NaN : sum / length;
        layer.InactiveFraction = cols == 0 ? double.NaN : (double)inactiveCount / cols;
        layer.InactiveMeanAbsDerivative = inactiveCount == 0 ? double.NaN : inactiveSum / ((double)inactiveCount * rows);
        layer.InactiveUnits = inactive;
        layer.DeadFraction = cols == 0 ? double.NaN : (double)dead / cols;
        layer.SaturatedFraction = cols == 0 ? double.NaN : (double)saturated / cols;
    }

    /// <summary>Splits the chain into layers: each module with parameters starts one, and takes the activation after it.</summary>
    private static LayerState[] Group(IReadOnlyList<Module<T>> modules)
    {
        var groups = new List<LayerState>();
        LayerState? current = null;
        for (int i = 0; i < modules.Count; i++)
        {
            bool isActivation = modules[i] is IElementwise<T> or RowwiseActivation<T>;
            if (isActivation && current is { ActivationIndex: < 0, Body: not null } && current.Last == i - 1)
            {
                current.SetActivation(i, modules[i]);
                continue;
            }
            current = new LayerState(groups.Count, i);
            if (isActivation) current.SetActivation(i, modules[i]);
            else current.Body = modules[i];
            groups.Add(current);
        }
        return [.. groups];
    }

    /// <summary>One layer's modules and what the monitor has measured of it in the current step.</summary>
    private sealed class LayerState
    {
        private (string Name, Tensor<T> Parameter)[] parameters = [];

        public LayerState(int index, int first)
        {
            Index = index;
            First = Last = first;
            OnGradient = gradient => GradientNorm = double.CreateTruncating(TensorPrimitives.Norm(gradient));
            Reset();
        }

        public int Index { get; }
        public int First { get; }
        public int Last { get; private set; }
        public int ActivationIndex { get; private set; } = -1;
        public Module<T>? Activation { get; private set; }

        public Module<T>? Body
        {
            get;
            set
            {
                field = value;
                parameters = [.. parameters, .. value!.NamedParameters().Select(p => ($"{First}.{p.Name}", p.Parameter))];
            }
        }

        public GradientHook<T> OnGradient { get; }
        public double MeanAbsDerivative, InactiveFraction, InactiveMeanAbsDerivative, DeadFraction, SaturatedFraction, GradientNorm;
        public bool[] InactiveUnits = [];

        public void SetActivation(int index, Module<T> activation)
        {
            ActivationIndex = Last = index;
            Activation = activation;
            parameters = [.. parameters, .. activation.NamedParameters().Select(p => ($"{index}.{p.Name}", p.Parameter))];
        }

        public void Reset()
        {
            MeanAbsDerivative = InactiveFraction = InactiveMeanAbsDerivative = DeadFraction = SaturatedFraction = GradientNorm = double.NaN;
            InactiveUnits = [];
        }

        public LayerGradientFlow Snapshot() => new(
            Index + 1,
            Body?.ToString() ?? Activation!.ToString(),
            Activation?.ToString(),
            MeanAbsDerivative, InactiveFraction, InactiveMeanAbsDerivative, DeadFraction, SaturatedFraction, GradientNorm,
            parameters.Select(p => new ParameterGradient(p.Name, p.Parameter.Shape,
                p.Parameter.Grad is { } g ? double.CreateTruncating(TensorPrimitives.Norm<T>(g.Span)) : 0)).ToArray(),
            InactiveUnits);
    }
}
