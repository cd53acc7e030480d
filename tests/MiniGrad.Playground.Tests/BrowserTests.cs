using System.Globalization;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MiniGrad.Playground.Tests;

/// <summary>
/// The published playground in headless Chromium: it loads with no console errors, trains XOR below a loss of 0.05 while
/// the decision regions change, its deep-sigmoid lesson shows the vanishing gradient and its ReLU lesson does not, and a
/// URL reproduces a run. Each test writes a screenshot to <c>screenshots/</c> beside the test assembly.
/// </summary>
[Trait("Category", "Browser")]
[Collection(nameof(PlaygroundSite))]
public class BrowserTests(PlaygroundSite site, ITestOutputHelper output)
{
    private static readonly PageWaitForFunctionOptions Patient = new() { Timeout = 180_000, PollingInterval = 200 };

    private static async Task<double> Number(IPage page, string selector) =>
        double.Parse(await page.GetAttributeAsync(selector, "data-value") ?? "NaN", CultureInfo.InvariantCulture);

    /// <summary>‖∂L/∂z‖ of every layer in the gradient-flow picture, from its bars' data.</summary>
    private static async Task<double[]> GradientNorms(IPage page)
    {
        var values = await page.EvalOnSelectorAllAsync<string[]>("#gradient-flow .grad-bar", "bars => bars.map(b => b.dataset.norm)");
        return values.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    private static Task<string> Heatmap(IPage page) => page.EvalOnSelectorAsync<string>("#heatmap", "canvas => canvas.toDataURL()");

    private static async Task Screenshot(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(PlaygroundSite.Screenshots, name + ".png"), FullPage = true });

    [Fact]
    public async Task The_page_loads_with_no_console_errors()
    {
        var errors = new List<string>();
        var page = await site.Open("", errors);
        await page.WaitForTimeoutAsync(500);
        Assert.Empty(errors);
        Assert.Equal("MiniGrad Playground", await page.TitleAsync());
        Assert.Equal(6, await page.Locator(".lesson").CountAsync());
        Assert.True(await page.Locator("#heatmap").IsVisibleAsync());
        await Screenshot(page, "playground");
        await page.CloseAsync();
    }

    [Fact]
    public async Task Training_xor_drives_the_loss_below_0_05_and_the_regions_change()
    {
        var errors = new List<string>();
        var page = await site.Open("?data=xor&noise=0&points=200&hidden=8,8&act=tanh&opt=adam&lr=0.03&batch=16&seed=1", errors);
        string before = await Heatmap(page);
        double startLoss = await Number(page, "#train-loss");

        await page.ClickAsync("#play");
        await page.WaitForFunctionAsync("() => parseFloat(document.querySelector('#train-loss').dataset.value) < 0.05", null, Patient);
        await page.ClickAsync("#play"); // pause
        await page.WaitForSelectorAsync("#status[data-running=false]");

        double loss = await Number(page, "#train-loss");
        string after = await Heatmap(page);
        output.WriteLine($"XOR: loss {startLoss:F3} → {loss:F4} after {await page.GetAttributeAsync("#status", "data-steps")} steps, {await Number(page, "#steps-per-second"):F0} steps/s");
        Assert.True(loss < 0.05, $"the loss shown is {loss}");
        Assert.NotEqual(before, after);
        Assert.Empty(errors);
        await Screenshot(page, "xor-trained");
        await page.CloseAsync();
    }

    [Fact]
    public async Task The_deep_sigmoid_lesson_shows_the_first_layer_gradient_a_hundred_times_below_the_last_and_ReLU_does_not()
    {
        var errors = new List<string>();
        var page = await site.Open("", errors);
        await page.ClickAsync("[data-lesson=deep-sigmoid]");
        await page.WaitForSelectorAsync("#lesson-text");
        for (int i = 0; i < 20; i++) await page.ClickAsync("#step");
        var sigmoid = await GradientNorms(page);
        int hidden = sigmoid.Length - 1; // the last bar is the output layer
        output.WriteLine($"deep sigmoid: ‖∂L/∂z‖ layer 1 {sigmoid[0]:G3}, layer {hidden} {sigmoid[hidden - 1]:G3}");
        Assert.Equal(8, hidden);
        Assert.True(sigmoid[0] * 100 <= sigmoid[hidden - 1], $"layer 1: {sigmoid[0]}, layer {hidden}: {sigmoid[hidden - 1]}");
        await Screenshot(page, "lesson-deep-sigmoid");

        await page.ClickAsync("[data-lesson=dying-relu]");
        for (int i = 0; i < 20; i++) await page.ClickAsync("#step");
        var relu = await GradientNorms(page);
        output.WriteLine($"ReLU lesson: ‖∂L/∂z‖ layer 1 {relu[0]:G3}, layer {relu.Length - 1} {relu[^2]:G3}");
        Assert.True(relu[0] * 100 > relu[^2], $"ReLU: layer 1: {relu[0]}, last hidden: {relu[^2]}");
        Assert.Contains("dying-relu", page.Url);
        Assert.Empty(errors);
        await Screenshot(page, "lesson-dying-relu");
        await page.CloseAsync();
    }

    [Fact]
    public async Task A_url_with_settings_reproduces_them_and_the_run()
    {
        const string Query = "?data=moons&noise=0.1&train=0.6&points=200&hidden=5,7,3&act=elu&alpha=0.7&tau=2&opt=momentum&lr=0.05&batch=10&seed=42";
        var losses = new List<double>();
        for (int run = 0; run < 2; run++)
        {
            var errors = new List<string>();
            var page = await site.Open(Query, errors);
            Assert.Equal("moons", await page.InputValueAsync("#data"));
            Assert.Equal("elu", await page.InputValueAsync("#activation"));
            Assert.Equal("0.7", await page.InputValueAsync("#alpha"));
            Assert.Equal("momentum", await page.InputValueAsync("#optimizer"));
            Assert.Equal("0.05", await page.InputValueAsync("#learning-rate"));
            Assert.Equal(["5", "7", "3"], await page.EvalOnSelectorAllAsync<string[]>(".width", "inputs => inputs.map(i => i.value)"));
            for (int i = 0; i < 30; i++) await page.ClickAsync("#step");
            losses.Add(await Number(page, "#train-loss"));
            Assert.Empty(errors);
            if (run == 0) await Screenshot(page, "from-url");
            await page.CloseAsync();
        }
        Assert.Equal(losses[0], losses[1]);
    }

    [Fact]
    public async Task The_page_reports_the_steps_per_second_it_sustains()
    {
        // The README's figure: a 2-16-16-2 network on 500 points (circles), Adam, batches of 32.
        var errors = new List<string>();
        var page = await site.Open("?data=circles&points=500&hidden=16,16&act=relu&opt=adam&lr=0.01&batch=32&seed=0", errors);
        await page.ClickAsync("#play");
        await page.WaitForTimeoutAsync(6000);
        double rate = await Number(page, "#steps-per-second"), engine = await Number(page, "#engine-steps-per-second");
        await page.ClickAsync("#play");
        output.WriteLine($"2-16-16-2 on 500 points in the browser: {rate:F0} steps/s, {engine:F0} steps/s while the engine runs");
        await page.WaitForSelectorAsync("#status[data-running=false]");
        await Screenshot(page, "circles-training"); // the README's picture (docs/playground.png)
        Assert.True(rate > 0, "no rate shown");
        Assert.Empty(errors);
        await page.CloseAsync();
    }
}
