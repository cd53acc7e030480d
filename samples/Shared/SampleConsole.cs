using System.Globalization;
using MiniGrad.Data;
using MiniGrad.Training;
using Spectre.Console;

namespace MiniGrad.Samples;

/// <summary>Reports a long task's progress: a Spectre.Console bar in a terminal, a plain line every 10% otherwise.</summary>
public sealed class ProgressReporter
{
    private readonly Action<int, string> report;

    internal ProgressReporter(Action<int, string> report) => this.report = report;

    /// <summary>Says that <paramref name="done"/> units are finished; <paramref name="status"/> is shown beside the bar (e.g. the loss).</summary>
    public void Report(int done, string status = "") => report(done, status);
}

/// <summary>Console output shared by the samples: progress, tables and the closing result line.</summary>
public static class SampleConsole
{
    /// <summary>Whether output goes to an interactive terminal (progress bars, coloured tables) rather than a log or pipe.</summary>
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, which has <paramref name="total"/> units, showing its progress.</summary>
    public static void Progress(string title, int total, Action<ProgressReporter> work)
    {
        if (Interactive)
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask(Markup.Escape(title), maxValue: total);
                    work(new ProgressReporter((done, status) =>
                    {
                        task.Value = done;
                        task.Description = Markup.Escape(status.Length == 0 ? title : $"{title}  {status}");
                    }));
                    task.Value = total;
                });
            return;
        }

        int lastTenth = -1;
        work(new ProgressReporter((done, status) =>
        {
            int tenth = total <= 0 ? 10 : (int)(10L * done / total);
            if (tenth == lastTenth) return;
            lastTenth = tenth;
            Console.WriteLine($"  {title}: {10 * tenth,3}%{(status.Length == 0 ? "" : "  " + status)}");
        }));
    }

    /// <summary>
    /// Trains one network per activation, <paramref name="epochs"/> + 1 passes each, under one progress bar:
    /// <paramref name="train"/> gets the activation and a callback to call with each finished epoch (0 … epochs).
    /// </summary>
    public static List<TResult> TrainEach<TResult>(IReadOnlyList<string> activations, int epochs, Func<string, Action<int>, TResult> train)
    {
        var results = new List<TResult>();
        Progress("Training", activations.Count * (epochs + 1), progress =>
        {
            foreach (var activation in activations)
            {
                int offset = results.Count * (epochs + 1);
                results.Add(train(activation, epoch => progress.Report(offset + epoch + 1, activation)));
            }
        });
        return results;
    }

    /// <summary>
    /// Runs <see cref="Trainer{T}.Fit"/> showing each batch on <paramref name="progress"/>, whose units are batches counted from
    /// <paramref name="offset"/>; the status beside the bar is the epoch, the batch's loss and the last test accuracy.
    /// </summary>
    public static TrainingHistory Fit<T>(Trainer<T> trainer, ProgressReporter progress, DataLoader<T> train, int epochs,
        DataLoader<T>? validation = null, int offset = 0, string label = "") where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int before = trainer.Epoch;
        string tested = "";
        void Batch(object? sender, BatchProgress batch) => progress.Report(offset + (batch.Epoch - before - 1) * batch.Batches + batch.Batch,
            F($"{label}epoch {batch.Epoch - before}/{epochs}  loss {batch.Loss:F4}{tested}"));
        void Epoch(object? sender, EpochResult epoch) =>
            tested = epoch.Values.TryGetValue("val_accuracy", out double accuracy) ? F($"  test accuracy {accuracy:P1}") : "";
        trainer.BatchEnded += Batch;
        trainer.EpochEnded += Epoch;
        try
        {
            return trainer.Fit(train, epochs, validation);
        }
        finally
        {
            trainer.BatchEnded -= Batch;
            trainer.EpochEnded -= Epoch;
        }
    }

    /// <summary>Prints a table: a Spectre.Console table in a terminal, aligned plain text otherwise.</summary>
    public static void Table(string title, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var body = rows.ToList();
        Console.WriteLine();
        if (Interactive)
        {
            var table = new Table { Title = new TableTitle(Markup.Escape(title)) };
            foreach (var header in headers) table.AddColumn(new TableColumn(Markup.Escape(header)).RightAligned());
            table.Columns[0].LeftAligned();
            foreach (var row in body) table.AddRow(row.Select(Markup.Escape).ToArray());
            AnsiConsole.Write(table);
            return;
        }
        var widths = headers.Select((header, c) => Math.Max(header.Length, body.Count == 0 ? 0 : body.Max(row => row[c].Length))).ToArray();
        string Line(IReadOnlyList<string> cells) =>
            string.Join("  ", cells.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd();
        Console.WriteLine(title);
        Console.WriteLine(Line(headers));
        Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in body) Console.WriteLine(Line(row));
    }

    /// <summary>Prints the sample's one closing line and returns its exit code: 0 when the claim holds, 1 when it does not.</summary>
    public static int Result(bool holds, string line)
    {
        Console.WriteLine();
        Console.WriteLine($"{line} {(holds ? "Claim holds." : "CLAIM FAILS.")}");
        return holds ? 0 : 1;
    }

    /// <summary>Formats with the invariant culture.</summary>
    public static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
