using System.Text.Json;
using System.Text.Json.Serialization;
using TransferLearning.Backbones.Onnx;
using TransferLearning.Backbones.Onnx.Proto;
using TransferLearning.Training;

namespace TransferLearning.Export;

/// <summary>
/// What an exported ONNX file says about itself, stored as JSON under the <c>metadata_props</c> key
/// <see cref="Key"/>: the class names in logit order, the graph's input and output names, the input size, layout,
/// channel order and value range, and the decode contract (<see cref="InputContract"/>: interpolation, crop mode,
/// colour mode, EXIF and scaled decoding) that turns an image file into that input exactly as the training loader did.
/// </summary>
public sealed record OnnxModelMetadata
{
    /// <summary>The <c>metadata_props</c> key holding the JSON.</summary>
    public const string Key = "transferlearning.model";

    /// <summary>The version of the JSON layout this library writes.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The version of the JSON layout.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The class names, in the order of the logits.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = Array.Empty<string>();

    /// <summary>The graph input's name.</summary>
    public string InputName { get; init; } = "images";

    /// <summary>The input layout: always <c>NCHW</c> (N dynamic).</summary>
    public string InputLayout { get; init; } = "NCHW";

    /// <summary>The input's channel order: always <c>RGB</c> (the graph reorders for the backbone itself).</summary>
    public string InputChannelOrder { get; init; } = "RGB";

    /// <summary>The range of input values: [0, 255] (the graph scales and normalises itself).</summary>
    public IReadOnlyList<float> InputValueRange { get; init; } = new[] { 0f, 255f };

    /// <summary>Input height in pixels (fixed in the graph).</summary>
    public int Height { get; init; }

    /// <summary>Input width in pixels (fixed in the graph).</summary>
    public int Width { get; init; }

    /// <summary>The name of the logits output (N×classes).</summary>
    public string LogitsOutput { get; init; } = "logits";

    /// <summary>The name of the probabilities output (N×classes softmax), or <c>null</c> when the graph has none.</summary>
    public string? ProbabilitiesOutput { get; init; }

    /// <summary>How image files are decoded into the input.</summary>
    public InputContract Decode { get; init; } = new();

    /// <summary>The backbone's name (for example <c>vgg16</c>, <c>resnet18</c>).</summary>
    public string Backbone { get; init; } = "";

    /// <summary>The name of the backbone's preprocessing, which runs inside the graph (for example <c>imagenet</c>).</summary>
    public string Preprocessing { get; init; } = "";

    /// <summary>The ai.onnx opset of the graph.</summary>
    public int Opset { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    /// <summary>The JSON stored under <see cref="Key"/>.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Parses the JSON stored under <see cref="Key"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="InvalidDataException">The text is not this metadata, or of a newer format version.</exception>
    public static OnnxModelMetadata FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        OnnxModelMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<OnnxModelMetadata>(json, Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The '{Key}' metadata is not valid JSON of this library: {e.Message}", e);
        }
        if (metadata is null) throw new InvalidDataException($"The '{Key}' metadata is empty.");
        if (metadata.FormatVersion > CurrentFormatVersion)
            throw new InvalidDataException($"The '{Key}' metadata has format version {metadata.FormatVersion}; this library reads up to {CurrentFormatVersion}.");
        return metadata;
    }

    /// <summary>Reads the metadata of an exported ONNX file.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not ONNX, or has no <see cref="Key"/> entry (it was not written by <see cref="TransferTrainer.ExportOnnx"/>).</exception>
    public static OnnxModelMetadata Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var model = OnnxModelFile.Parse(path, (message, e) => new InvalidDataException(message, e));
        var entry = model.MetadataProps.FirstOrDefault(p => p.Key == Key)
            ?? throw new InvalidDataException($"'{path}' has no '{Key}' metadata entry; it was not written by TransferTrainer.ExportOnnx.");
        try
        {
            return FromJson(entry.Value);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }
}
