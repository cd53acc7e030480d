using System.Globalization;
using System.Numerics;

namespace MiniGrad.Diagnostics;

/// <summary>
/// Anomaly detection, like PyTorch's <c>torch.autograd.detect_anomaly()</c>: while it is on (on this thread), every op
/// recorded on a tape checks its result, and every backward step checks the gradients it passes to its inputs. The
/// first NaN or ±Inf throws an <see cref="AnomalyException"/> naming the op and the layer it ran in.
/// </summary>
/// <remarks>
/// <code>
/// using (Anomaly.Detect())
/// using (var tape = new Tape())
/// {
///     var loss = lossFunction.Forward(model.Forward(x), y);   // throws at the first op whose result is not finite
///     tape.Backward(loss);                                      // or at the first step whose gradient is not finite
/// }
/// </code>
/// <para>Each check reads the whole tensor, so a step costs a few times more; turn it on to find a bug, not to train.
/// It watches the tape through the engine's observer hook; off, that hook costs one thread-static read per recorded op.
/// Layers are named by <see cref="Layers.Sequential{T}"/> while the hook is in use (<c>layer 2 (Dense(8 → 8))</c>, nested
/// ones joined with <c> › </c>). Ops run with no tape open are not checked.
/// A parameter whose gradient already held a NaN before this backward pass (no <c>ZeroGrad</c> after a bad step) is
/// reported at the first step that adds to it.</para>
/// </remarks>
public static class Anomaly
{
    [ThreadStatic] private static int depth;

    /// <summary>Whether anomaly detection is on for this thread.</summary>
    public static bool IsDetecting => depth > 0;

    /// <summary>Turns anomaly detection on for this thread until the returned scope is disposed. Scopes nest.</summary>
    public static IDisposable Detect()
    {
        if (depth++ == 0) TapeRecorder.Observer = Checker.Instance;
        return new Scope(Environment.CurrentManagedThreadId);
    }

    private sealed class Scope(int thread) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            if (Environment.CurrentManagedThreadId != thread)
                throw new InvalidOperationException("Anomaly.Detect() is per thread: dispose its scope on the thread that opened it.");
            disposed = true;
            if (--depth == 0) TapeRecorder.Observer = null;
        }
    }

    /// <summary>The checks, as the tape's observer.</summary>
    private sealed class Checker : ITapeObserver
    {
        internal static readonly Checker Instance = new();

        public void Recorded<T>(Node<T> node) where T : unmanaged, IFloatingPointIeee754<T> => CheckForward(node);

        public void Seeded<T>(Tensor<T> root) where T : unmanaged, IFloatingPointIeee754<T> => CheckSeed(root);

        public void Stepped<T>(Node<T> node) where T : unmanaged, IFloatingPointIeee754<T> => CheckBackward(node);
    }

    /// <summary>Forward check of a result just recorded: throws if it holds a NaN or ±Inf.</summary>
    private static void CheckForward<T>(Node<T> node) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var y = node.Output;
        int bad = FirstNonFinite<T>(y.Span);
        if (bad < 0) return;

        // An input that no recorded op made (data, a constant, a parameter) and that is already not finite is where
        // the anomaly came in; recorded inputs were checked when they were made.
        var inputs = node.Inputs;
        for (int number = 1; number <= inputs.Length; number++)
        {
            var input = inputs[number - 1];
            int inputBad = input.Node is not null ? -1 : FirstNonFinite<T>(input.Span);
            if (inputBad >= 0)
                throw new AnomalyException(AnomalyPass.Forward, node.Op, node.Scope, At(input, inputBad),
                    $"Anomaly in forward: input {number} of {node.Op}{In(node.Scope)} ({input.Shape}, not made by a recorded op: data, a constant " +
                    $"or a parameter) already holds {Describe(input.Span[inputBad])} at {Where(input, inputBad)}.");
        }
        throw new AnomalyException(AnomalyPass.Forward, node.Op, node.Scope, At(y, bad),
            $"Anomaly in forward: {node.Op}{In(node.Scope)} produced {Describe(y.Span[bad])} at {Where(y, bad)} of its {y.Shape} result from finite inputs.");
    }

    /// <summary>Backward check, after the node's step ran: throws if an input's gradient holds a NaN or ±Inf.</summary>
    private static void CheckBackward<T>(Node<T> node) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!node.Output.HasGradient) return;
        var inputs = node.Inputs;
        for (int number = 1; number <= inputs.Length; number++)
        {
            var input = inputs[number - 1];
            if (!input.RequiresGrad || input.Grad is not { } gradient) continue;
            int bad = FirstNonFinite<T>(gradient.Span);
            if (bad < 0) continue;
            throw new AnomalyException(AnomalyPass.Backward, node.Op, node.Scope, At(input, bad),
                $"Anomaly in backward: the backward step of {node.Op}{In(node.Scope)} left {Describe(gradient.Span[bad])} at {Where(input, bad)} " +
                $"in the gradient of its input {number} ({input.Shape}), from a finite upstream gradient.");
        }
    }

    /// <summary>Throws if the upstream gradient handed to <see cref="Tape.Backward{T}(Tensor{T}, Tensor{T})"/> is not finite.</summary>
    private static void CheckSeed<T>(Tensor<T> root) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!root.HasGradient) return;
        var gradient = root.GradSpan;
        int bad = FirstNonFinite<T>(gradient);
        if (bad >= 0)
            throw new AnomalyException(AnomalyPass.Backward, "Backward", root.Node?.Scope, At(root, bad),
                $"Anomaly in backward: the upstream gradient passed to Backward holds {Describe(gradient[bad])} at {Where(root, bad)}.");
    }

    private static int FirstNonFinite<T>(ReadOnlySpan<T> values) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int i = 0; i < values.Length; i++)
            if (!T.IsFinite(values[i])) return i;
        return -1;
    }

    private static (int Row, int Col) At<T>(Tensor<T> tensor, int index) where T : unmanaged, IFloatingPointIeee754<T> =>
        (index / tensor.Cols, index % tensor.Cols);

    private static string Where<T>(Tensor<T> tensor, int index) where T : unmanaged, IFloatingPointIeee754<T> =>
        $"[{index / tensor.Cols}, {index % tensor.Cols}]";

    private static string In(string? layer) => layer is null ? "" : $" in {layer}";

    private static string Describe<T>(T value) where T : unmanaged, IFloatingPointIeee754<T> =>
        T.IsNaN(value) ? "NaN" : T.IsPositiveInfinity(value) ? "+Inf" : T.IsNegativeInfinity(value) ? "-Inf" : value.ToString(null, CultureInfo.InvariantCulture);
}

/// <summary>Which pass an <see cref="AnomalyException"/> was found in.</summary>
public enum AnomalyPass
{
    /// <summary>An op's result held a NaN or ±Inf.</summary>
    Forward,

    /// <summary>A backward step passed a NaN or ±Inf to an input's gradient.</summary>
    Backward,
}

/// <summary>
/// Thrown in <see cref="Anomaly"/> mode at the first op whose result (forward) or input gradient (backward) holds a
/// NaN or ±Inf. <see cref="Op"/> and <see cref="Layer"/> say where; the message says what and at which element.
/// </summary>
public sealed class AnomalyException : ArithmeticException
{
    internal AnomalyException(AnomalyPass pass, string op, string? layer, (int Row, int Col) element, string message) : base(message)
    {
        Pass = pass;
        Op = op;
        Layer = layer;
        Element = element;
    }

    /// <summary>Forward or backward.</summary>
    public AnomalyPass Pass { get; }

    /// <summary>The op, e.g. <c>Log</c>, <c>Linear</c>, <c>ReLU</c>, <c>CrossEntropyLoss</c>.</summary>
    public string Op { get; }

    /// <summary>The layer it ran in, e.g. <c>layer 2 (Dense(8 → 8))</c>; null outside a <see cref="Layers.Sequential{T}"/>.</summary>
    public string? Layer { get; }

    /// <summary>The first bad element's row and column.</summary>
    public (int Row, int Col) Element { get; }
}
