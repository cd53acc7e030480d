using BenchmarkDotNet.Running;
using MiniGrad.Benchmarks;

// steps [prefix]            the step benchmark: one JSON line per workload (../shared/BENCHMARKS.md)
// report RESULTS.jsonl      docs/BENCHMARKS.md from both peers' JSON lines (bench/run.sh writes both)
// anything else             BenchmarkDotNet: GemmBenchmarks, ActivationBenchmarks, TrainingStepBenchmarks
switch (args)
{
    case ["steps", .. var rest]:
        StepBenchmark.Run(rest.Length > 0 ? rest[0] : "");
        break;
    case ["report", var results]:
        Console.Write(Report.Render(File.ReadAllLines(results)));
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(Workloads).Assembly).Run(args);
        break;
}
