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
    public static readonly string[] Names =
    {
        PackagedResNet18, "vgg16", "resnet18", "resnet34", "resnet50", "resnet101",
        "efficientnet_b0", "efficientnet_b1", "efficientnet_b2", "efficientnet_b3", "mobilenet_v3_small", "mobilenet_v3_large",
        "convnext_tiny", "convnext_small", "convnext_base", "convnext_large",
    };

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
        // The shared settings of every torchvision family: ImageNet from the cache, or the file.
        T Configure<T>(T options) where T : TorchVisionBackboneOptions
        {
            options.Weights = imagenet ? TorchVisionWeights.ImageNet : TorchVisionWeights.File;
            options.WeightsFile = file;
            options.Cache.Logger = cacheLogger;
            return options;
        }
        switch (s.Backbone)
        {
            case "vgg16":
            {
                var options = new Vgg16Options { Weights = imagenet ? Vgg16Weights.ImageNet : Vgg16Weights.File, WeightsFile = file };
                options.Cache.Logger = cacheLogger;
                return Vgg16.CreateAsync(options, cancellationToken).GetAwaiter().GetResult();
            }
            case "resnet18" or "resnet34" or "resnet50" or "resnet101":
                return ResNet.CreateAsync(Configure(new ResNetOptions { Variant = s.Backbone switch { "resnet18" => ResNetVariant.ResNet18, "resnet34" => ResNetVariant.ResNet34, "resnet50" => ResNetVariant.ResNet50, _ => ResNetVariant.ResNet101 } }), cancellationToken).GetAwaiter().GetResult();
            case "efficientnet_b0" or "efficientnet_b1" or "efficientnet_b2" or "efficientnet_b3":
                return EfficientNet.CreateAsync(Configure(new EfficientNetOptions { Variant = s.Backbone switch { "efficientnet_b0" => EfficientNetVariant.B0, "efficientnet_b1" => EfficientNetVariant.B1, "efficientnet_b2" => EfficientNetVariant.B2, _ => EfficientNetVariant.B3 } }), cancellationToken).GetAwaiter().GetResult();
            case "mobilenet_v3_small" or "mobilenet_v3_large":
                return MobileNetV3.CreateAsync(Configure(new MobileNetV3Options { Variant = s.Backbone == "mobilenet_v3_small" ? MobileNetV3Variant.Small : MobileNetV3Variant.Large }), cancellationToken).GetAwaiter().GetResult();
            case "convnext_tiny" or "convnext_small" or "convnext_base" or "convnext_large":
                return ConvNeXt.CreateAsync(Configure(new ConvNeXtOptions { Variant = s.Backbone switch { "convnext_tiny" => ConvNeXtVariant.Tiny, "convnext_small" => ConvNeXtVariant.Small, "convnext_base" => ConvNeXtVariant.Base, _ => ConvNeXtVariant.Large } }), cancellationToken).GetAwaiter().GetResult();
            default:
                throw new ArgumentException($"Unknown backbone '{s.Backbone}'; choose one of {string.Join(", ", Names)}.", nameof(s));
        }
    }
}
