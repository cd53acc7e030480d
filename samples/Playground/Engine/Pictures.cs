namespace MiniGrad.Playground.Engine;

/// <summary>RGBA pixel buffers for the page's canvases, computed from the engine's outputs.</summary>
public static class Pictures
{
    /// <summary>The class colours (orange, blue, green), as TensorFlow Playground colours its two classes, and a third.</summary>
    public static readonly (byte R, byte G, byte B)[] ClassColours = [(245, 147, 34), (8, 119, 189), (44, 160, 44)];

    /// <summary>The class colours as CSS, for legends.</summary>
    public static string Css(int k) => $"rgb({ClassColours[k].R},{ClassColours[k].G},{ClassColours[k].B})";

    /// <summary>
    /// The decision regions: each pixel of a <paramref name="size"/> × <paramref name="size"/> grid over the plane mixes
    /// the class colours by their probabilities (paler where the network is less sure); then the points on top, training
    /// points filled and test points as rings.
    /// </summary>
    public static byte[] DecisionRegions(Tensor<float> probabilities, int size, int scale, Tensor<float> train, int[] trainLabels, Tensor<float> test, int[] testLabels)
    {
        int width = size * scale;
        var pixels = new byte[width * width * 4];
        int classes = probabilities.Cols;
        for (int y = 0; y < width; y++)
            for (int x = 0; x < width; x++)
            {
                int cell = y / scale * size + x / scale;
                double r = 0, g = 0, b = 0, top = 0;
                for (int k = 0; k < classes; k++)
                {
                    double p = probabilities[cell, k];
                    top = Math.Max(top, p);
                    r += p * ClassColours[k].R;
                    g += p * ClassColours[k].G;
                    b += p * ClassColours[k].B;
                }
                // Confidence above chance (1/classes) sets how much colour there is: white where the network is unsure.
                double strength = 0.15 + 0.55 * Math.Clamp((top - 1.0 / classes) / (1 - 1.0 / classes), 0, 1);
                Set(pixels, width, x, y, Mix(r, strength), Mix(g, strength), Mix(b, strength));
            }
        DrawPoints(pixels, width, train, trainLabels, ring: false);
        DrawPoints(pixels, width, test, testLabels, ring: true);
        return pixels;
    }

    /// <summary>
    /// One hidden unit's output over the plane: orange where positive, blue where negative, white at 0, scaled by the
    /// largest |value| on the grid (TensorFlow Playground's colours).
    /// </summary>
    public static byte[] Unit(Tensor<float> outputs, int unit, int size)
    {
        var pixels = new byte[size * size * 4];
        double largest = 1e-12;
        for (int i = 0; i < size * size; i++) largest = Math.Max(largest, Math.Abs(outputs[i, unit]));
        for (int i = 0; i < size * size; i++)
        {
            double v = outputs[i, unit] / largest;
            var colour = v >= 0 ? ClassColours[0] : ClassColours[1];
            double strength = Math.Abs(v);
            Set(pixels, size, i % size, i / size, Mix(colour.R, strength), Mix(colour.G, strength), Mix(colour.B, strength));
        }
        return pixels;
    }

    private static void DrawPoints(byte[] pixels, int width, Tensor<float> points, int[] labels, bool ring)
    {
        for (int i = 0; i < points.Rows; i++)
        {
            int cx = (int)Math.Round((points[i, 0] + Session.Extent) / (2 * Session.Extent) * width);
            int cy = (int)Math.Round((Session.Extent - points[i, 1]) / (2 * Session.Extent) * width);
            var c = ClassColours[labels[i]];
            for (int dy = -4; dy <= 4; dy++)
                for (int dx = -4; dx <= 4; dx++)
                {
                    int d2 = dx * dx + dy * dy;
                    if (d2 > 16) continue;
                    bool edge = d2 > 9;
                    if (ring && !edge && d2 > 4) Set(pixels, width, cx + dx, cy + dy, 255, 255, 255); // a white ring inside a test point
                    else if (edge) Set(pixels, width, cx + dx, cy + dy, 255, 255, 255);
                    else Set(pixels, width, cx + dx, cy + dy, c.R, c.G, c.B);
                }
        }
    }

    /// <summary>White blended towards a colour channel with weight <paramref name="strength"/> (0–1).</summary>
    private static byte Mix(double channel, double strength) => (byte)Math.Round(255 + (channel - 255) * strength);

    private static void Set(byte[] pixels, int width, int x, int y, byte r, byte g, byte b)
    {
        if ((uint)x >= (uint)width || (uint)y >= (uint)(pixels.Length / 4 / width)) return;
        int i = (y * width + x) * 4;
        (pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]) = (r, g, b, 255);
    }
}
