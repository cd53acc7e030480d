using System.Text;
using MiniGrad.Activations;

namespace MiniGrad.Tests;

/// <summary>
/// docs/ACTIVATIONS.md is the table of <see cref="Activation.All"/>, whose claims ActivationInfoTests checks against
/// the code; this test keeps the file equal to the table. To rewrite the file after changing a description, run the
/// tests once with MINIGRAD_UPDATE_DOCS=1.
/// </summary>
public class ActivationDocsTests
{
    private static string Render()
    {
        static string Mark(bool claim) => claim ? "yes" : "no";
        var text = new StringBuilder();
        text.AppendLine("# Activations");
        text.AppendLine();
        text.AppendLine("Generated from `Activation.All` (each activation's `Info`) by `ActivationDocsTests`; the range, zero-centred,");
        text.AppendLine("monotonic and smooth columns are checked numerically against the code by `ActivationInfoTests`. Zero-centred");
        text.AppendLine("means a mean output of 0 for standard-normal inputs; smooth means f' has no jump. Claims are for the default");
        text.AppendLine("hyperparameters. `Activation.Create<T>(name)` builds each one but Maxout, a layer with weights.");
        text.AppendLine();
        text.AppendLine("| Activation | Name | Formula | Derivative | Range | Zero-centred | Monotonic | Smooth | Use |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var info in Activation.All)
            text.AppendLine($"| {info.Title} | `{info.Name}` | {info.Formula} | {info.Derivative} | {info.Range} | {Mark(info.ZeroCentred)} | {Mark(info.Monotonic)} | {Mark(info.Smooth)} | {info.Use} |");
        return text.ToString().Replace("\r\n", "\n");
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "MiniGrad.sln"))) return directory.FullName;
        throw new DirectoryNotFoundException($"No MiniGrad.sln above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void The_activation_table_in_docs_matches_the_descriptions()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "ACTIVATIONS.md");
        string expected = Render();
        if (Environment.GetEnvironmentVariable("MINIGRAD_UPDATE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, expected);
        }
        Assert.True(File.Exists(path), $"{path} is missing; run the tests once with MINIGRAD_UPDATE_DOCS=1 to write it.");
        Assert.True(expected == File.ReadAllText(path).Replace("\r\n", "\n"),
            $"{path} differs from Activation.All; run the tests once with MINIGRAD_UPDATE_DOCS=1 to rewrite it.");
    }
}
