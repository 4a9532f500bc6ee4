using TransferLearning.Native;

namespace TransferLearning.Backbones;

/// <summary>
/// Builds VGG16 backbones (Keras: <c>VGG16(weights='imagenet', include_top=False)</c>) in torchvision's layout, with
/// torchvision's ImageNet weights from the <see cref="WeightsCache"/>, weights from a file, or a random initialisation.
/// </summary>
public static class Vgg16
{
    /// <summary>torchvision's <c>VGG16_Weights.IMAGENET1K_V1</c>: the file, its published address and its SHA-256 prefix.</summary>
    public static PretrainedWeights ImageNetWeights { get; } = new(
        "vgg16-imagenet1k-v1",
        "vgg16-397923af.pth",
        new Uri("https://download.pytorch.org/models/vgg16-397923af.pth"),
        sha256: "397923af");

    /// <summary>
    /// Creates a backbone. With <see cref="Vgg16Weights.ImageNet"/> this may download about 528 MB the first time (blocking);
    /// prefer <see cref="CreateAsync"/> in UI or server code.
    /// </summary>
    /// <param name="options">What to build; <c>null</c> for the defaults (ImageNet weights, no top, global average pooling). Copied.</param>
    /// <returns>A new backbone on the CPU, in training mode, with every layer trainable.</returns>
    public static Vgg16Backbone Create(Vgg16Options? options = null) =>
        CreateAsync(options, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Creates a backbone, fetching ImageNet weights into the cache when needed.</summary>
    /// <param name="options">What to build; <c>null</c> for the defaults (ImageNet weights, no top, global average pooling). Copied.</param>
    /// <param name="cancellationToken">Cancels a download.</param>
    /// <returns>A new backbone on the CPU, in training mode, with every layer trainable.</returns>
    public static async Task<Vgg16Backbone> CreateAsync(Vgg16Options? options = null, CancellationToken cancellationToken = default)
    {
        var o = (options ?? new Vgg16Options()).Copy();
        o.Validate();
        TorchNative.EnsureLoaded();

        string? weightsPath = o.Weights switch
        {
            Vgg16Weights.File => o.WeightsFile,
            Vgg16Weights.ImageNet => await new WeightsCache(o.Cache).GetFileAsync(ImageNetWeights, cancellationToken).ConfigureAwait(false),
            _ => null,
        };

        // Built in a dispose scope that keeps only the model's own tensors (TorchSharp's initialisers leave others behind).
        var backbone = ModuleTensors.Build(() => Vgg16Backbone.Build(o.IncludeTop, o.Pooling, o.Preprocessing switch
        {
            Vgg16Preprocessing.Caffe => ImagePreprocessing.Caffe(),
            Vgg16Preprocessing.Identity => ImagePreprocessing.Identity(),
            _ => ImagePreprocessing.ImageNet(),
        }));
        return PretrainedBackbone.WithWeights(backbone, weightsPath, o.WeightsFormat);
    }
}
