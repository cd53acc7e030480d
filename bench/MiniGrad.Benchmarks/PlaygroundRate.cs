using System.Diagnostics;
using MiniGrad.Playground.Engine;

namespace MiniGrad.Benchmarks;

/// <summary>
/// The playground's training rate outside the browser: the same <see cref="Session"/> the page runs, stepped for five
/// seconds after a second of warm-up, with nothing drawn. The browser's figure comes from its test
/// (tests/MiniGrad.Playground.Tests, The_page_reports_the_steps_per_second_it_sustains); the README sets them side by side.
/// </summary>
public static class PlaygroundRate
{
    /// <summary>The README's network: 2-16-16-2 with ReLU on 500 points (circles), Adam, batches of 32.</summary>
    public const string ReadmeNetwork = "?data=circles&points=500&hidden=16,16&act=relu&opt=adam&lr=0.01&batch=32&seed=0";

    public static void Run(string query)
    {
        var settings = Settings.FromQuery(query);
        using var session = new Session(settings);
        Measure(session, TimeSpan.FromSeconds(1));
        double rate = Measure(session, TimeSpan.FromSeconds(5));
        Console.WriteLine($"{query}: {rate:F0} training steps/s in the console ({Environment.ProcessorCount} cores, threads {Threading.MaxDegreeOfParallelism})");
    }

    private static double Measure(Session session, TimeSpan duration)
    {
        var clock = Stopwatch.StartNew();
        int steps = 0;
        while (clock.Elapsed < duration)
        {
            session.Step();
            steps++;
        }
        return steps / clock.Elapsed.TotalSeconds;
    }
}
