using System.Numerics;

namespace MiniGrad.Optimizers;

/// <summary>
/// Drives an optimizer's learning rate by a <see cref="Schedule"/>: it takes the optimizer's rate as the base, sets the rate
/// of epoch 0 at once, and each <see cref="Step"/> (once per epoch, after the optimizer's steps) moves to the next epoch's.
/// </summary>
/// <remarks><code>
/// var scheduler = new Scheduler&lt;float&gt;(optimizer, new LinearWarmup(5).Then(5, new CosineAnnealingLR(45)));
/// for (int epoch = 0; epoch &lt; 50; epoch++) { /* train one epoch */ scheduler.Step(); }
/// </code></remarks>
public sealed class Scheduler<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Optimizer<T> optimizer;

    /// <summary>Schedules <paramref name="optimizer"/>'s learning rate, its present rate being the base.</summary>
    public Scheduler(Optimizer<T> optimizer, Schedule schedule)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(schedule);
        (this.optimizer, Schedule, BaseRate) = (optimizer, schedule, optimizer.LearningRate);
        optimizer.LearningRate = schedule.Rate(BaseRate, 0);
    }

    /// <summary>The schedule.</summary>
    public Schedule Schedule { get; }

    /// <summary>The optimizer's rate when the scheduler took it over.</summary>
    public double BaseRate { get; }

    /// <summary>The epoch whose rate the optimizer has now, from 0.</summary>
    public int Epoch { get; private set; }

    /// <summary>Moves to the next epoch and sets its learning rate.</summary>
    public void Step() => optimizer.LearningRate = Schedule.Rate(BaseRate, ++Epoch);
}
