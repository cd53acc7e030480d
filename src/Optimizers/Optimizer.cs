using System.Numerics;
using MiniGrad.Kernels;

namespace MiniGrad.Optimizers;

/// <summary>
/// Updates a fixed list of parameters from their gradients. Call <see cref="Step"/> after each backward pass
/// and <see cref="ZeroGrad"/> before the next (gradients accumulate otherwise). Parameters whose gradient is
/// still <c>null</c> are skipped, as in PyTorch.
/// </summary>
/// <remarks>Per-parameter state lives in arrays parallel to <see cref="Parameters"/>.</remarks>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] parameters;
    private double learningRate;

    /// <summary>Checks and stores the parameters and the learning rate.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="lr"/> is negative, NaN or infinite.</exception>
    /// <exception cref="ArgumentException">The list is empty, repeats a tensor, or holds a tensor that is not a leaf requiring grad.</exception>
    protected Optimizer(IEnumerable<Tensor<T>> parameters, double lr)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        RequireNonNegative(lr, nameof(lr));
        this.parameters = parameters.ToArray();
        if (this.parameters.Length == 0)
            throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameters));
        var seen = new HashSet<Tensor<T>>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < this.parameters.Length; i++)
        {
            var parameter = this.parameters[i] ?? throw new ArgumentNullException(nameof(parameters), $"Parameter {i} is null.");
            if (!parameter.RequiresGrad || !parameter.IsLeaf)
                throw new ArgumentException($"Parameter {i} ({parameter.Shape}) is not a leaf tensor that requires grad; an optimizer can only update those.", nameof(parameters));
            if (!seen.Add(parameter))
                throw new ArgumentException($"Parameter {i} ({parameter.Shape}) appears more than once in the list; it would be stepped twice.", nameof(parameters));
        }
        learningRate = lr;
    }

    /// <summary>The parameters this optimizer updates, in order.</summary>
    public IReadOnlyList<Tensor<T>> Parameters => parameters;

    /// <summary>The learning rate (lr); a schedule may change it between steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double LearningRate
    {
        get => learningRate;
        set
        {
            RequireNonNegative(value, nameof(LearningRate));
            learningRate = value;
        }
    }

    /// <summary>Updates every parameter that has a gradient, in place.</summary>
    public abstract void Step();

    /// <summary>Sets every parameter's gradient to zero, keeping its memory.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in parameters) parameter.ZeroGrad();
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless the value is finite and ≥ 0.</summary>
    protected static void RequireNonNegative(double value, string name)
    {
        Require.NonNegative(value, name);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless 0 ≤ value &lt; 1.</summary>
    protected static void RequireUnitInterval(double value, string name)
    {
        Require.UnitInterval(value, name);
    }
}
