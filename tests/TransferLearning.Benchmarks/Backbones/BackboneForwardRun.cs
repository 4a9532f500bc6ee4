using System.Diagnostics;
using System.Globalization;
using TransferLearning.Backbones;
using static TorchSharp.torch;

namespace TransferLearning.Benchmarks.Backbones;

/// <summary>
/// CPU inference throughput of the native backbones — VGG16, ResNet-18, ResNet-50 (random weights: the arithmetic is the
/// same), eval mode, no gradients, one batch of 8 RGB 224×224 images including the preprocessing and pooling — measured
/// interleaved in one process, model after model, round after round, so that machine-load drift hits all alike. Prints
/// every round, then the median images/s of the rounds after a warm-up forward per model.
/// dotnet run -c Release --project tests/TransferLearning.Benchmarks -- backbone-forward [rounds]
/// </summary>
public static class BackboneForwardRun
{
    private const int Batch = 8;
    private const int Size = 224;

    public static void Run(int rounds)
    {
        var models = new (string Name, PretrainedBackbone Backbone)[]
        {
            ("VGG16", Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.None })),
            ("ResNet-18", ResNet.Create(new ResNetOptions { Variant = ResNetVariant.ResNet18, Weights = ResNetWeights.None })),
            ("ResNet-50", ResNet.Create(new ResNetOptions { Variant = ResNetVariant.ResNet50, Weights = ResNetWeights.None })),
        };
        try
        {
            using var generator = new Generator(1);
            using var images = rand(new long[] { Batch, 3, Size, Size }, generator: generator).mul_(255f);
            using var noGrad = no_grad();
            foreach (var (_, backbone) in models)
            {
                backbone.eval();
                using var warm = backbone.forward(images);
            }
            var perSecond = models.Select(_ => new List<double>()).ToArray();
            for (int round = 0; round < rounds; round++)
            {
                for (int m = 0; m < models.Length; m++)
                {
                    var watch = Stopwatch.StartNew();
                    using (var features = models[m].Backbone.forward(images)) _ = features.shape;
                    perSecond[m].Add(Batch / watch.Elapsed.TotalSeconds);
                }
                Console.WriteLine($"round {round + 1}: " + string.Join("  ", models.Select((x, m) => $"{x.Name} {F(perSecond[m][round])} img/s")));
            }

            Console.WriteLine();
            Console.WriteLine($"CPU, {get_num_threads()} torch threads, batch {Batch}, {Size}x{Size}, {rounds} rounds");
            Console.WriteLine("| Backbone | parameters | median images/s |");
            Console.WriteLine("|---|---:|---:|");
            for (int m = 0; m < models.Length; m++)
                Console.WriteLine($"| {models[m].Name} | {models[m].Backbone.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} | {F(Median(perSecond[m]))} |");
        }
        finally
        {
            foreach (var (_, backbone) in models) backbone.Dispose();
        }
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
}
