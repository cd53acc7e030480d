using BenchmarkDotNet.Running;
using MiniGrad.Benchmarks;

// steps [prefix]            the step benchmark: one JSON line per workload (../shared/BENCHMARKS.md)
// list [prefix]             the workload names, one per line
// report RESULTS.jsonl      docs/BENCHMARKS.md from both peers' JSON lines (bench/run.sh writes both)
// anything else             BenchmarkDotNet: GemmBenchmarks, ActivationBenchmarks, TrainingStepBenchmarks
switch (args)
{
    case ["steps", .. var rest]:
        StepBenchmark.Run(rest.Length > 0 ? rest[0] : "");
        break;
    case ["list", .. var rest]:
        foreach (var name in Workloads.Names.Where(n => n.StartsWith(rest.Length > 0 ? rest[0] : "", StringComparison.Ordinal))) Console.WriteLine(name);
        break;
    case ["report", var results]:
        Console.Write(Report.Render(File.ReadAllLines(results)));
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args);
        break;
}
