using BenchmarkDotNet.Running;
using MiniGrad.Benchmarks;

// steps [prefix]                         the step benchmark: one JSON line per workload (docs/BENCHMARKS.md)
// list [prefix]                          the workload names, one per line
// report RESULTS.jsonl [--before REV]    docs/BENCHMARKS.md from the peers' JSON lines (bench/run.sh writes them)
// playground [QUERY]                     training steps per second of a playground session in the console (README)
// fit-tanh                               refits the float tanh's rational function (src/Kernels/VectorMath.cs)
// anything else             BenchmarkDotNet: GemmBenchmarks, ActivationBenchmarks, TrainingStepBenchmarks
switch (args)
{
    case ["steps", .. var rest]:
        StepBenchmark.Run(rest.Length > 0 ? rest[0] : "");
        break;
    case ["list", .. var rest]:
        foreach (var name in Workloads.Select(rest.Length > 0 ? rest[0] : "")) Console.WriteLine(name);
        break;
    case ["report", var results, .. var options]:
        Console.Write(Report.Render(File.ReadAllLines(results), before: options is ["--before", var revision] ? revision : null,
            scalingPicture: Directory.Exists("docs") ? "docs/scaling.png" : null));
        break;
    case ["playground", .. var rest]:
        PlaygroundRate.Run(rest.Length > 0 ? rest[0] : PlaygroundRate.ReadmeNetwork);
        break;
    case ["fit-tanh"]:
        TanhFit.Run();
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args);
        break;
}
