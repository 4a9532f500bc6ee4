namespace TransferLearning.Backbones;

/// <summary>
/// One stage of a ConvNeXt, as torchvision's <c>CNBlockConfig</c>: <see cref="Layers"/> blocks at <see cref="InputChannels"/>
/// channels, then (when <see cref="OutputChannels"/> is set) a downsampling layer (LayerNorm2d and a 2×2 stride-2 convolution) to
/// <see cref="OutputChannels"/> channels. ConvNeXt-Tiny is <c>(96, 192, 3), (192, 384, 3), (384, 768, 9), (768, null, 3)</c>;
/// <see cref="ConvNeXt.GetBlockConfigs"/> lists the published ones. Immutable.
/// </summary>
public sealed record ConvNeXtBlockConfig
{
    /// <summary>Creates a stage configuration.</summary>
    /// <param name="inputChannels">Channels of the stage's blocks (the first stage's also set the stem's output). At least 1.</param>
    /// <param name="outputChannels">Channels after the stage's downsampling layer, or <c>null</c> for none (torchvision: the last stage). At least 1 when set.</param>
    /// <param name="layers">Number of blocks of the stage. At least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is below 1; the message names the value.</exception>
    public ConvNeXtBlockConfig(int inputChannels, int? outputChannels, int layers)
    {
        if (inputChannels < 1) throw new ArgumentOutOfRangeException(nameof(inputChannels), $"inputChannels must be at least 1; got {inputChannels}.");
        if (outputChannels is < 1) throw new ArgumentOutOfRangeException(nameof(outputChannels), $"outputChannels must be at least 1 or null; got {outputChannels}.");
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), $"layers must be at least 1; got {layers}.");
        InputChannels = inputChannels;
        OutputChannels = outputChannels;
        Layers = layers;
    }

    /// <summary>Channels of the stage's blocks.</summary>
    public int InputChannels { get; }

    /// <summary>Channels after the stage's downsampling layer, or <c>null</c> when the stage has none.</summary>
    public int? OutputChannels { get; }

    /// <summary>Number of blocks of the stage.</summary>
    public int Layers { get; }

    /// <summary>The channels this stage hands on: <see cref="OutputChannels"/>, or <see cref="InputChannels"/> without a downsampling layer.</summary>
    public int OutputWidth => OutputChannels ?? InputChannels;

    /// <summary>Checks that a list of stages is not empty, holds no <c>null</c> and that each stage takes the channels the one before hands on.</summary>
    /// <param name="configs">The stages, from input to output.</param>
    /// <param name="paramName">Names the list in exceptions.</param>
    internal static void ValidateChain(IReadOnlyList<ConvNeXtBlockConfig>? configs, string paramName)
    {
        if (configs is null) throw new ArgumentNullException(paramName, $"{paramName} must not be null.");
        if (configs.Count == 0) throw new ArgumentException($"{paramName} must hold at least one stage; got an empty list.", paramName);
        for (int i = 0; i < configs.Count; i++)
        {
            if (configs[i] is null) throw new ArgumentException($"{paramName}[{i}] is null.", paramName);
            if (i > 0 && configs[i].InputChannels != configs[i - 1].OutputWidth)
                throw new ArgumentException(
                    $"{paramName}[{i}].InputChannels is {configs[i].InputChannels} but {paramName}[{i - 1}] hands on {configs[i - 1].OutputWidth} channels ({configs[i - 1]}).",
                    paramName);
        }
    }
}
