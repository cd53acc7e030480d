using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace MiniGrad.Tests;

/// <summary>
/// The proof that the packages work for someone who has only NuGet: pack MiniGrad, MiniGrad.Onnx and MiniGrad.Plotting
/// into a folder, then build and run a brand-new console project that takes them from that folder alone (no project
/// reference) and trains XOR, saves, loads, exports to ONNX and draws a picture.
/// </summary>
[Trait("Category", "Packaging")]
public class PackagingTests
{
    private static string Root => ActivationDocsTests.RepositoryRoot();

    [Fact]
    public void The_packages_install_and_work_in_a_new_console_project()
    {
        string work = Directory.CreateTempSubdirectory("minigrad-packages-").FullName;
        try
        {
            string feed = Path.Combine(work, "feed"), app = Path.Combine(work, "app");
            // A version no cache can already hold, so the packages under test are the ones just packed.
            string version = $"0.0.1-test{DateTime.UtcNow:yyyyMMddHHmmss}";
            foreach (var project in new[] { "src/MiniGrad.csproj", "src/Onnx/MiniGrad.Onnx.csproj", "src/Plotting/MiniGrad.Plotting.csproj" })
                Dotnet(Root, "pack", Path.Combine(Root, project), "-c", "Release", "-o", feed, $"-p:Version={version}", "-nologo");

            foreach (var id in new[] { "MiniGrad", "MiniGrad.Onnx", "MiniGrad.Plotting" })
            {
                string package = Path.Combine(feed, $"{id}.{version}.nupkg");
                Assert.True(File.Exists(package), $"{id} was not packed");
                Assert.True(File.Exists(Path.Combine(feed, $"{id}.{version}.snupkg")), $"{id} has no symbol package");
                using var zip = ZipFile.OpenRead(package);
                var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec")).Open());
                string Field(string name) => nuspec.Descendants().Single(e => e.Name.LocalName == name).Value;
                Assert.Equal("MIT", Field("license"));
                Assert.Equal("README.md", Field("readme"));
                Assert.Contains(zip.Entries, e => e.FullName == "README.md");
                Assert.Contains(zip.Entries, e => e.FullName == $"lib/net10.0/{id}.xml"); // the XML docs travel with it
            }

            Directory.CreateDirectory(app);
            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                  <packageSourceMapping>
                    <packageSource key="local"><package pattern="MiniGrad*" /></packageSource>
                    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
                  </packageSourceMapping>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>enable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="MiniGrad" Version="{version}" />
                    <PackageReference Include="MiniGrad.Onnx" Version="{version}" />
                    <PackageReference Include="MiniGrad.Plotting" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            // Outside the repository's Directory.Build.props and Directory.Packages.props: a stranger's project.
            File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />");
            File.WriteAllText(Path.Combine(app, "Directory.Packages.props"), "<Project />");
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using MiniGrad; using MiniGrad.Activations; using MiniGrad.Data;
                using MiniGrad.Layers; using MiniGrad.Losses; using MiniGrad.Optimizers;

                var rng = new Random(0);
                var (x, y) = Datasets.Xor<float>();
                var model = new Sequential<float>(new Dense<float>(2, 8, rng), new Tanh<float>(), new Dense<float>(8, 1, rng));
                var lossFunction = new BCEWithLogitsLoss<float>();
                var optimizer = new SGD<float>(model.Parameters(), lr: 0.5, momentum: 0.9);
                float last = 0;
                for (int epoch = 0; epoch < 500; epoch++)
                {
                    optimizer.ZeroGrad();
                    using (var tape = new Tape())
                    {
                        var loss = lossFunction.Forward(model.Forward(x), y);
                        tape.Backward(loss);
                        last = loss.Item;
                    }
                    optimizer.Step();
                }
                model.Save("xor.safetensors");
                var loaded = Sequential<float>.Load("xor.safetensors");
                MiniGrad.Onnx.OnnxExporter.Export(loaded, "xor.onnx");
                MiniGrad.Plotting.Plots.Activation("tanh.png", new Tanh<double>(), "tanh");
                bool same = model.Forward(x).ToArray().Cast<float>().SequenceEqual(loaded.Forward(x).ToArray().Cast<float>());
                Console.WriteLine($"loss {last:F4} reloaded-same {same} onnx {new FileInfo("xor.onnx").Length > 0} png {new FileInfo("tanh.png").Length > 0}");
                return last < 0.05 && same ? 0 : 1;
                """);

            Dotnet(app, "build", "-nologo", "-c", "Release");
            string output = Dotnet(app, "run", "--no-build", "-c", "Release");
            Assert.Matches(@"loss 0\.0\d+ reloaded-same True onnx True png True", output);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="folder"/>; returns its output, failing the test on a non-zero exit.</summary>
    private static string Dotnet(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"dotnet {string.Join(' ', arguments)} did not finish in 5 minutes");
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{output}\n{error.Result}");
        return output;
    }
}
