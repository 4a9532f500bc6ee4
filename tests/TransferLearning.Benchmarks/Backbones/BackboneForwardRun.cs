using System.Diagnostics;
using System.Globalization;
using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx;
using static TorchSharp.torch;

namespace TransferLearning.Benchmarks.Backbones;

/// <summary>
/// CPU inference throughput of the native backbones — VGG16, ResNet-18/34/50/101, EfficientNet-B0…B3, MobileNetV3-Small and
/// -Large, ConvNeXt-Tiny (random weights: the arithmetic is the same) and the packaged ONNX ResNet18 (its real weights), eval mode, no gradients, one batch of 8 RGB 224×224 images including the preprocessing and pooling — measured
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
            ("ResNet-18", ResNet.Create(new ResNetOptions { Variant = ResNetVariant.ResNet18, Weights = TorchVisionWeights.None })),
            ("ResNet-34", ResNet.Create(new ResNetOptions { Variant = ResNetVariant.ResNet34, Weights = TorchVisionWeights.None })),
            ("ResNet-50", ResNet.Create(new ResNetOptions { Variant = ResNetVariant.ResNet50, Weights = TorchVisionWeights.None })),
            ("ResNet-101", ResNet.Create(new ResNetOptions { Variant = ResNetVariant.ResNet101, Weights = TorchVisionWeights.None })),
            ("EfficientNet-B0", EfficientNet.Create(new EfficientNetOptions { Variant = EfficientNetVariant.B0, Weights = TorchVisionWeights.None })),
            ("EfficientNet-B1", EfficientNet.Create(new EfficientNetOptions { Variant = EfficientNetVariant.B1, Weights = TorchVisionWeights.None })),
            ("EfficientNet-B2", EfficientNet.Create(new EfficientNetOptions { Variant = EfficientNetVariant.B2, Weights = TorchVisionWeights.None })),
            ("EfficientNet-B3", EfficientNet.Create(new EfficientNetOptions { Variant = EfficientNetVariant.B3, Weights = TorchVisionWeights.None })),
            ("MobileNetV3-Small", MobileNetV3.Create(new MobileNetV3Options { Variant = MobileNetV3Variant.Small, Weights = TorchVisionWeights.None })),
            ("MobileNetV3-Large", MobileNetV3.Create(new MobileNetV3Options { Variant = MobileNetV3Variant.Large, Weights = TorchVisionWeights.None })),
            ("ConvNeXt-Tiny", ConvNeXt.Create(new ConvNeXtOptions { Variant = ConvNeXtVariant.Tiny, Weights = TorchVisionWeights.None })),
            ("ResNet18 (ONNX package)", OnnxBackbone.ResNet18FromPackage()),
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
            Console.WriteLine("| Backbone | parameters | feature length | layer groups | median images/s |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            for (int m = 0; m < models.Length; m++)
                Console.WriteLine($"| {models[m].Name} | {models[m].Backbone.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)} | {models[m].Backbone.OutputChannels} | {models[m].Backbone.LayerGroups.Count} | {F(Median(perSecond[m]))} |");
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
