using Microsoft.Extensions.Logging;
using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx;

namespace FruitClassifier;

/// <summary>The backbones the sample offers by name (<c>--backbone</c>), and any ONNX graph (<c>--onnx FILE</c>).</summary>
internal static class BackboneChoice
{
    /// <summary>The offline default: the ImageNet ResNet18 of the Microsoft.ML.DnnImageFeaturizer.ResNet18 package.</summary>
    public const string PackagedResNet18 = "resnet18-onnx";

    /// <summary>Every <c>--backbone</c> name, the default first.</summary>
    public static readonly string[] Names = { PackagedResNet18, "vgg16", "resnet18", "resnet34", "resnet50", "resnet101" };

    /// <summary>What <c>--onnx-preprocessing</c> accepts.</summary>
    public static readonly string[] OnnxPreprocessings = { "imagenet", "none", "caffe" };

    public static PretrainedBackbone Create(RecipeSettings s, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (s.OnnxFile is { } onnx)
            return OnnxBackbone.Load(onnx.FullName, new OnnxImportOptions
            {
                Preprocessing = s.OnnxPreprocessing switch
                {
                    "none" => ImagePreprocessing.Identity(),
                    "caffe" => ImagePreprocessing.Caffe(),
                    _ => ImagePreprocessing.ImageNet(),
                },
            });
        if (s.Backbone == PackagedResNet18) return OnnxBackbone.ResNet18FromPackage();
        bool imagenet = s.Weights.Equals("imagenet", StringComparison.OrdinalIgnoreCase);
        string? file = imagenet ? null : Path.GetFullPath(s.Weights);
        var cacheLogger = loggers.CreateLogger("WeightsCache");
        switch (s.Backbone)
        {
            case "vgg16":
            {
                var options = new Vgg16Options { Weights = imagenet ? Vgg16Weights.ImageNet : Vgg16Weights.File, WeightsFile = file };
                options.Cache.Logger = cacheLogger;
                return Vgg16.CreateAsync(options, cancellationToken).GetAwaiter().GetResult();
            }
            case "resnet18" or "resnet34" or "resnet50" or "resnet101":
            {
                var options = new ResNetOptions
                {
                    Variant = s.Backbone switch { "resnet18" => ResNetVariant.ResNet18, "resnet34" => ResNetVariant.ResNet34, "resnet50" => ResNetVariant.ResNet50, _ => ResNetVariant.ResNet101 },
                    Weights = imagenet ? ResNetWeights.ImageNet : ResNetWeights.File,
                    WeightsFile = file,
                };
                options.Cache.Logger = cacheLogger;
                return ResNet.CreateAsync(options, cancellationToken).GetAwaiter().GetResult();
            }
            default:
                throw new ArgumentException($"Unknown backbone '{s.Backbone}'; choose one of {string.Join(", ", Names)}.", nameof(s));
        }
    }
}
