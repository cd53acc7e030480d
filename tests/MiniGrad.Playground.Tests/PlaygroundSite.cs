using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;

namespace MiniGrad.Playground.Tests;

/// <summary>
/// The published playground, served from a folder on 127.0.0.1 the way any static web server would, and a headless
/// Chromium (Debian's, at /usr/bin/chromium, or <c>MINIGRAD_CHROMIUM</c>) driven by Playwright. Publishing takes about a
/// minute; it happens once per test run.
/// </summary>
public sealed class PlaygroundSite : IAsyncLifetime
{
    private HttpListener? listener;
    private IPlaywright? playwright;
    private Task? serving;

    /// <summary>The site's address, ending in a slash.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go (a test artefact).</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        string site = Path.Combine(AppContext.BaseDirectory, "playground-site");
        await Publish(site);
        string root = Path.Combine(site, "wwwroot");
        int port = FreePort();
        Address = $"http://127.0.0.1:{port}/";
        listener = new HttpListener();
        listener.Prefixes.Add(Address);
        listener.Start();
        serving = Task.Run(() => Serve(listener, root));

        playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("MINIGRAD_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        playwright?.Dispose();
        listener?.Stop();
        if (serving is not null) await serving.ContinueWith(_ => { });
    }

    /// <summary>A new page, collecting the console's errors and the page's uncaught exceptions into <paramref name="errors"/>.</summary>
    public async Task<IPage> Open(string query, List<string> errors)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 1100 } });
        page.Console += (_, message) =>
        {
            if (message.Type == "error") errors.Add(message.Text);
        };
        page.PageError += (_, error) => errors.Add(error);
        page.Response += (_, response) =>
        {
            if (response.Status >= 400) errors.Add($"HTTP {response.Status} for {response.Url}");
        };
        await page.GotoAsync(Address + query);
        await page.WaitForSelectorAsync("#status[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 120_000 });
        return page;
    }

    /// <summary>Publishes samples/Playground into <paramref name="folder"/> (Release, as a web server would host it).</summary>
    private static async Task Publish(string folder)
    {
        string project = Path.Combine(RepositoryRoot(), "samples", "Playground", "Playground.csproj");
        var start = new ProcessStartInfo("dotnet", ["publish", project, "-c", "Release", "-o", folder, "-nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10))) process.Kill(entireProcessTree: true);
        if (process.ExitCode != 0) throw new InvalidOperationException($"Publishing the playground failed:\n{await output}\n{await error}");
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "MiniGrad.sln"))) return folder.FullName;
        throw new InvalidOperationException("The repository root (with MiniGrad.sln) is not above the test's folder.");
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static readonly Dictionary<string, string> Types = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8", [".js"] = "text/javascript", [".mjs"] = "text/javascript", [".css"] = "text/css",
        [".json"] = "application/json", [".wasm"] = "application/wasm", [".png"] = "image/png", [".ico"] = "image/x-icon",
        [".svg"] = "image/svg+xml", [".dat"] = "application/octet-stream", [".dll"] = "application/octet-stream",
        [".pdb"] = "application/octet-stream", [".txt"] = "text/plain",
    };

    /// <summary>Answers GETs with the files under <paramref name="root"/> ("/" is index.html), 404 otherwise.</summary>
    private static async Task Serve(HttpListener listener, string root)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception) when (!listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                var response = context.Response;
                try
                {
                    string relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath).TrimStart('/');
                    if (relative.Length == 0) relative = "index.html";
                    string path = Path.GetFullPath(Path.Combine(root, relative));
                    if (!path.StartsWith(Path.GetFullPath(root), StringComparison.Ordinal) || !File.Exists(path))
                    {
                        response.StatusCode = 404;
                        return;
                    }
                    response.ContentType = Types.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");
                    var bytes = await File.ReadAllBytesAsync(path);
                    response.ContentLength64 = bytes.Length;
                    await response.OutputStream.WriteAsync(bytes);
                }
                catch (Exception) { response.StatusCode = 500; }
                finally
                {
                    try { response.Close(); } catch (Exception) { }
                }
            });
        }
    }
}

/// <summary>The browser tests share one published site and one browser.</summary>
[CollectionDefinition(nameof(PlaygroundSite))]
public sealed class PlaygroundCollection : ICollectionFixture<PlaygroundSite>
{
}
