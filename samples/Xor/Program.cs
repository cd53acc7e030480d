using System.Globalization;
using MiniGrad.Samples.Xor;

// XOR with a 2-8-1 tanh network: prints the loss as it trains and the truth table it learned.
// Exits with 1 if any of the four points is misclassified.
// Options: --seed N (default 0), --epochs N (default 500).

int seed = 0, epochs = 500;
for (int i = 0; i < args.Length; i++)
{
    string option = args[i];
    if ((option == "--seed" || option == "--epochs") && i + 1 < args.Length && int.TryParse(args[i + 1], out int value) && value >= 0)
    {
        if (option == "--seed") seed = value; else epochs = value;
        i++;
    }
    else
    {
        Console.Error.WriteLine($"Unknown or incomplete option '{option}'. Usage: Xor [--seed N] [--epochs N]");
        return 2;
    }
}

var culture = CultureInfo.InvariantCulture;
Console.WriteLine($"Training a 2-8-1 tanh network on XOR (BCE with logits, SGD lr 0.5 momentum 0.9, seed {seed}, {epochs} epochs)");
var result = XorTraining.Train(seed, epochs, (epoch, loss) =>
{
    if (epoch == 1 || epoch % 50 == 0) Console.WriteLine(string.Create(culture, $"  epoch {epoch,4}  loss {loss:F6}"));
});

Console.WriteLine();
Console.WriteLine(" x1  x2 | target  p(1)    predicted");
Console.WriteLine("--------+---------------------------");
for (int i = 0; i < result.Targets.Length; i++)
{
    int predicted = result.Probabilities[i] >= 0.5 ? 1 : 0;
    Console.WriteLine(string.Create(culture,
        $" {result.Inputs[i, 0],2:0}  {result.Inputs[i, 1],2:0} |   {result.Targets[i]:0}     {result.Probabilities[i]:F4}  {predicted}{(predicted == result.Targets[i] ? "" : "  (wrong)")}"));
}
Console.WriteLine();
Console.WriteLine(string.Create(culture, $"XOR: accuracy {result.Accuracy:P0}, final loss {result.Loss:F6}"));
return result.Accuracy == 1 ? 0 : 1;
