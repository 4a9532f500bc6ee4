using TransferLearning.Backbones;

namespace TransferLearning.Training;

/// <summary>
/// What a saved model file says about itself (<c>model.json</c> inside the file): enough to rebuild the architecture
/// with a backbone factory and to check that the rebuilt backbone preprocesses the way the weights expect.
/// </summary>
public sealed record ModelInfo
{
    /// <summary>Version of the file layout; this library writes 1.</summary>
    public int FormatVersion { get; init; } = 1;

    /// <summary><see cref="PretrainedBackbone.Name"/> of the backbone, for example <c>vgg16</c>.</summary>
    public string BackboneName { get; init; } = "";

    /// <summary><see cref="PretrainedBackbone.OutputChannels"/>.</summary>
    public int OutputChannels { get; init; }

    /// <summary>Pooling of the backbone.</summary>
    public PoolingMode Pooling { get; init; }

    /// <summary>Length of the pooled feature vector the head takes.</summary>
    public int FeatureLength { get; init; }

    /// <summary>Dropout probability of the head.</summary>
    public double Dropout { get; init; }

    /// <summary>Class names in index order.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = Array.Empty<string>();

    /// <summary>Input height the model was trained at (predictions from files are resized to it); 0 when unknown.</summary>
    public int InputHeight { get; init; }

    /// <summary>Input width the model was trained at; 0 when unknown.</summary>
    public int InputWidth { get; init; }

    /// <summary>How files are decoded for this model (<see cref="TransferTrainer.InputContract"/>); <c>null</c> in files written before contracts were recorded (then predictions resize bilinearly to the input size).</summary>
    public InputContract? Input { get; init; }

    /// <summary><see cref="ImagePreprocessing.Name"/>.</summary>
    public string PreprocessingName { get; init; } = "";

    /// <summary><see cref="ImagePreprocessing.ChannelOrder"/>.</summary>
    public ChannelOrder ChannelOrder { get; init; }

    /// <summary><see cref="ImagePreprocessing.Scale"/>.</summary>
    public float Scale { get; init; }

    /// <summary><see cref="ImagePreprocessing.Mean"/>.</summary>
    public IReadOnlyList<float> Mean { get; init; } = Array.Empty<float>();

    /// <summary><see cref="ImagePreprocessing.Std"/>.</summary>
    public IReadOnlyList<float> Std { get; init; } = Array.Empty<float>();

    /// <summary>Rebuilds the preprocessing the weights expect.</summary>
    public ImagePreprocessing CreatePreprocessing() => new(PreprocessingName, ChannelOrder, Scale, Mean, Std);

    internal bool PreprocessingMatches(ImagePreprocessing p) =>
        p.ChannelOrder == ChannelOrder && p.Scale == Scale && p.Mean.SequenceEqual(Mean) && p.Std.SequenceEqual(Std);
}
