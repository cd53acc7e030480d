using System.Globalization;
using System.Text;

namespace MiniGrad.Playground.Engine;

/// <summary>
/// Everything that decides a run: the data, the network, the activation with its hyperparameters, the optimizer and the
/// seed. It round-trips through a URL query (<see cref="ToQuery"/>, <see cref="FromQuery"/>), so a link reproduces a run.
/// </summary>
public sealed record Settings
{
    /// <summary>The data sets, by the name the URL uses.</summary>
    public static readonly IReadOnlyList<(string Name, string Title)> DataSets =
    [
        ("xor", "XOR (quadrants)"), ("spirals2", "Spirals, 2 arms"), ("spirals3", "Spirals, 3 arms"),
        ("circles", "Circles"), ("moons", "Moons"), ("blobs", "Blobs, 3"),
    ];

    /// <summary>The optimizers, by the name the URL uses.</summary>
    public static readonly IReadOnlyList<(string Name, string Title)> Optimizers =
        [("sgd", "SGD"), ("momentum", "SGD with momentum 0.9"), ("adam", "Adam")];

    /// <summary>Hidden activations that take a slope (LeakyReLU's, PReLU's starting one), an α (ELU) or a β (SiLU, Softplus).</summary>
    public static bool HasSlope(string activation) => activation is "leaky_relu" or "prelu";

    /// <inheritdoc cref="HasSlope"/>
    public static bool HasAlpha(string activation) => activation is "elu";

    /// <inheritdoc cref="HasSlope"/>
    public static bool HasBeta(string activation) => activation is "silu" or "softplus";

    /// <summary>The data set (see <see cref="DataSets"/>).</summary>
    public string Data { get; init; } = "spirals3";

    /// <summary>The noise of the data, 0–0.5.</summary>
    public double Noise { get; init; } = 0.2;

    /// <summary>The share of the points used for training, 0.1–0.9; the rest are the test points.</summary>
    public double TrainShare { get; init; } = 0.7;

    /// <summary>The number of points, 50–1000.</summary>
    public int Points { get; init; } = 300;

    /// <summary>The widths of the hidden layers: 1–8 layers of 1–64 units.</summary>
    public int[] Hidden { get; init; } = [16, 16];

    /// <summary>The hidden activation, by its PyTorch name (<c>relu</c>, <c>leaky_relu</c>, …, or <c>maxout</c>).</summary>
    public string Activation { get; init; } = "relu";

    /// <summary>LeakyReLU's slope, or PReLU's starting slope.</summary>
    public double Slope { get; init; } = 0.01;

    /// <summary>ELU's α.</summary>
    public double Alpha { get; init; } = 1.0;

    /// <summary>SiLU's or Softplus's β.</summary>
    public double Beta { get; init; } = 1.0;

    /// <summary>Pieces per Maxout unit, 2–5.</summary>
    public int Pieces { get; init; } = 3;

    /// <summary>The output softmax's temperature τ, 0.1–10: the probabilities shown are softmax(logits/τ).</summary>
    public double Temperature { get; init; } = 1.0;

    /// <summary>The optimizer (see <see cref="Optimizers"/>).</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>The learning rate, 1e-5–10.</summary>
    public double LearningRate { get; init; } = 0.01;

    /// <summary>Examples per batch, 1–1000.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>The seed of the data, the weights and the batches.</summary>
    public int Seed { get; init; }

    /// <summary>The query string of a URL that reproduces these settings.</summary>
    public string ToQuery()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        void Add(string key, string value) => text.Append(text.Length == 0 ? "" : "&").Append(key).Append('=').Append(Uri.EscapeDataString(value));
        Add("data", Data);
        Add("noise", Noise.ToString(c));
        Add("train", TrainShare.ToString(c));
        Add("points", Points.ToString(c));
        Add("hidden", string.Join(",", Hidden.Select(h => h.ToString(c))));
        Add("act", Activation);
        if (HasSlope(Activation)) Add("slope", Slope.ToString(c));
        if (HasAlpha(Activation)) Add("alpha", Alpha.ToString(c));
        if (HasBeta(Activation)) Add("beta", Beta.ToString(c));
        if (Activation == "maxout") Add("pieces", Pieces.ToString(c));
        Add("tau", Temperature.ToString(c));
        Add("opt", Optimizer);
        Add("lr", LearningRate.ToString(c));
        Add("batch", BatchSize.ToString(c));
        Add("seed", Seed.ToString(c));
        return text.ToString();
    }

    /// <summary>
    /// Settings from a URL query such as <c>?data=xor&amp;hidden=4&amp;act=tanh</c>: each value missing or out of range
    /// keeps its default (clamped to the allowed range where it is a number).
    /// </summary>
    public static Settings FromQuery(string query)
    {
        var values = (query ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0])
            .ToDictionary(g => g.Key, g => Uri.UnescapeDataString(g.Last()[1]));
        var defaults = new Settings();
        double Number(string key, double fallback, double low, double high) =>
            values.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
                ? Math.Clamp(v, low, high) : fallback;
        int Whole(string key, int fallback, int low, int high) => (int)Math.Round(Number(key, fallback, low, high));
        string Choice(string key, string fallback, IEnumerable<string> allowed) =>
            values.TryGetValue(key, out var text) && allowed.Contains(text) ? text : fallback;
        int[] hidden = defaults.Hidden;
        if (values.TryGetValue("hidden", out var list))
        {
            var widths = list.Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(w => int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? Math.Clamp(n, 1, 64) : -1).ToArray();
            if (widths.Length is >= 1 and <= 8 && widths.All(w => w > 0)) hidden = widths;
        }
        return new Settings
        {
            Data = Choice("data", defaults.Data, DataSets.Select(d => d.Name)),
            Noise = Number("noise", defaults.Noise, 0, 0.5),
            TrainShare = Number("train", defaults.TrainShare, 0.1, 0.9),
            Points = Whole("points", defaults.Points, 50, 1000),
            Hidden = hidden,
            Activation = Choice("act", defaults.Activation, HiddenActivations),
            Slope = Number("slope", defaults.Slope, 0, 1),
            Alpha = Number("alpha", defaults.Alpha, 0.01, 5),
            Beta = Number("beta", defaults.Beta, 0.1, 10),
            Pieces = Whole("pieces", defaults.Pieces, 2, 5),
            Temperature = Number("tau", defaults.Temperature, 0.1, 10),
            Optimizer = Choice("opt", defaults.Optimizer, Optimizers.Select(o => o.Name)),
            LearningRate = Number("lr", defaults.LearningRate, 1e-5, 10),
            BatchSize = Whole("batch", defaults.BatchSize, 1, 1000),
            Seed = Whole("seed", defaults.Seed, 0, 1_000_000),
        };
    }

    /// <summary>The hidden activations one can pick: every element-wise one MiniGrad has, and Maxout.</summary>
    public static IReadOnlyList<string> HiddenActivations { get; } =
        [.. MiniGrad.Activations.Activation.Names.Where(name => name is not ("softmax" or "log_softmax" or "maxout")), "maxout"];
}
