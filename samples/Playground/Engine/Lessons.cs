namespace MiniGrad.Playground.Engine;

/// <summary>A lesson from the activation material: settings that show one claim, and what to look at.</summary>
/// <param name="Name">The name the URL uses.</param>
/// <param name="Title">The button's text.</param>
/// <param name="Text">Two or three sentences beside the pictures.</param>
/// <param name="Settings">The run that shows it.</param>
public sealed record Lesson(string Name, string Title, string Text, Settings Settings);

/// <summary>The lessons, one click each.</summary>
public static class Lessons
{
    /// <summary>Every lesson, in the order the material teaches them.</summary>
    public static readonly IReadOnlyList<Lesson> All =
    [
        new("deep-sigmoid", "Deep sigmoid vanishes",
            "Eight sigmoid layers: going back one layer multiplies the gradient by σ'(z) ≤ 1/4, so it shrinks at least fourfold per layer. " +
            "Look at the gradient-flow bars: the first layer's ‖∂L/∂z‖ is orders of magnitude below the last one's, and the first layers barely learn. " +
            "Switch the activation to relu to see the bars level out.",
            new Settings { Data = "spirals2", Hidden = [8, 8, 8, 8, 8, 8, 8, 8], Activation = "sigmoid", Optimizer = "sgd", LearningRate = 0.3, BatchSize = 32 }),
        new("dying-relu", "ReLU dies at a high learning rate",
            "Adam at 0.1, ten times its usual rate, pushes many ReLU units to z ≤ 0 for every point: there ReLU' = 0, no gradient reaches their weights, and they stay dead (the red share of the bars). " +
            "Switch to leaky_relu: its units can go quiet too, but they keep a slope of 0.01, pass some gradient, and come back.",
            new Settings { Data = "spirals3", Hidden = [16, 16, 16], Activation = "relu", Optimizer = "adam", LearningRate = 0.1, BatchSize = 32 }),
        new("tanh-vs-sigmoid", "Tanh trains faster than sigmoid",
            "Tanh is sigmoid stretched to (−1, 1): its outputs are centred on 0 and its slope at 0 is 1, four times σ'(0). " +
            "The same network learns the moons in far fewer steps with tanh; switch to sigmoid and watch the loss curve crawl.",
            new Settings { Data = "moons", Noise = 0.1, Hidden = [8, 8], Activation = "tanh", Optimizer = "sgd", LearningRate = 0.5, BatchSize = 16 }),
        new("selu-depth", "SELU keeps its scale across depth",
            "SELU with LeCun-normal weights is self-normalising: each layer's outputs stay near mean 0 and variance 1, so the gradient keeps its size from the last layer to the first. " +
            "The gradient-flow bars stay level across eight layers; compare sigmoid at the same depth.",
            new Settings { Data = "circles", Noise = 0.1, Hidden = [16, 16, 16, 16, 16, 16, 16, 16], Activation = "selu", Optimizer = "adam", LearningRate = 0.003, BatchSize = 32 }),
        new("temperature", "Softmax temperature",
            "The regions are shaded by softmax(logits/τ). Raise τ above 1 and the probabilities flatten towards 1/3: the colours pale, though the boundaries stay where they are. " +
            "Lower it below 1 and they sharpen towards 0 and 1. Training is unchanged; only what the probabilities say about confidence moves.",
            new Settings { Data = "blobs", Noise = 0.35, Hidden = [8], Activation = "relu", Temperature = 3, Optimizer = "adam", LearningRate = 0.03 }),
        new("maxout", "Maxout learns its own activation",
            "Each Maxout unit outputs the largest of k linear functions of its inputs, so it learns a convex piecewise-linear activation instead of being given one. " +
            "The unit pictures show regions bounded by straight lines, one per piece; with 3 pieces, two layers of 6 units fit the spirals.",
            new Settings { Data = "spirals2", Hidden = [6, 6], Activation = "maxout", Pieces = 3, Optimizer = "adam", LearningRate = 0.02 }),
    ];

    /// <summary>The lesson named <paramref name="name"/>, or null.</summary>
    public static Lesson? Find(string? name) => All.FirstOrDefault(lesson => lesson.Name == name);
}
