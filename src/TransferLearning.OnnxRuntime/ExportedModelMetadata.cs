using System.Text.Json;
using SkiaSharp;
using TransferLearning.Imaging;

namespace TransferLearning.OnnxRuntime;

/// <summary>
/// What an ONNX file written by <c>TransferTrainer.ExportOnnx</c> says about itself (the JSON under the
/// <c>metadata_props</c> key <see cref="Key"/>): classes, input and output names, input size, and the decode settings
/// that reproduce the training loader's pixels.
/// </summary>
public sealed record ExportedModelMetadata
{
    /// <summary>The <c>metadata_props</c> key (the training library's <c>OnnxModelMetadata.Key</c>).</summary>
    public const string Key = "transferlearning.model";

    /// <summary>The highest JSON format version this package reads.</summary>
    public const int SupportedFormatVersion = 1;

    /// <summary>The JSON format version of the file.</summary>
    public int FormatVersion { get; init; }

    /// <summary>The class names in logit order.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = Array.Empty<string>();

    /// <summary>The graph input (float32 N×3×<see cref="Height"/>×<see cref="Width"/>, RGB, 0..255).</summary>
    public string InputName { get; init; } = "";

    /// <summary>Input height in pixels.</summary>
    public int Height { get; init; }

    /// <summary>Input width in pixels.</summary>
    public int Width { get; init; }

    /// <summary>The logits output (N×classes).</summary>
    public string LogitsOutput { get; init; } = "";

    /// <summary>The softmax output, or <c>null</c> when the graph has none (the predictor then computes the softmax).</summary>
    public string? ProbabilitiesOutput { get; init; }

    /// <summary>The backbone's name, for information.</summary>
    public string Backbone { get; init; } = "";

    /// <summary>The ai.onnx opset of the graph.</summary>
    public int Opset { get; init; }

    /// <summary>The decode settings of the model's input contract (a copy each time).</summary>
    public ImageDecodeOptions DecodeOptions => _decode.Clone();

    private ImageDecodeOptions _decode = new();

    /// <summary>Parses the metadata JSON.</summary>
    /// <param name="json">The value stored under <see cref="Key"/>.</param>
    /// <param name="source">Names the file in error messages.</param>
    /// <exception cref="InvalidDataException">A field is missing or has the wrong type (the message names it), or the format is newer than this package.</exception>
    public static ExportedModelMetadata Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            int version = Int(root, "formatVersion", source);
            if (version > SupportedFormatVersion)
                throw new InvalidDataException($"{source}: '{Key}' has format version {version}; this package reads up to {SupportedFormatVersion}. Update TransferLearning.OnnxRuntime.");
            string layout = String(root, "inputLayout", source), order = String(root, "inputChannelOrder", source);
            if (layout != "NCHW" || order != "RGB")
                throw new InvalidDataException($"{source}: '{Key}' declares input layout {layout} and channel order {order}; this package feeds NCHW RGB.");
            var decode = Property(root, "decode", source);
            int height = Int(root, "height", source), width = Int(root, "width", source);
            var options = new ImageDecodeOptions
            {
                TargetSize = new SKSizeI(width, height),
                Interpolation = Enum<Interpolation>(decode, "interpolation", source),
                KeepAspectRatio = Bool(decode, "keepAspectRatio", source),
                ColorMode = Enum<ColorMode>(decode, "colorMode", source),
                ApplyExifOrientation = Bool(decode, "applyExifOrientation", source),
                UseScaledDecoding = Bool(decode, "useScaledDecoding", source),
                UseFineScaledDecoding = Bool(decode, "useFineScaledDecoding", source),
                ScaledDecodingMinimumCoverage = Property(decode, "scaledDecodingMinimumCoverage", source).GetDouble(),
            };
            var classes = Property(root, "classNames", source).EnumerateArray().Select(c => c.GetString() ?? "").ToArray();
            if (classes.Length < 2) throw new InvalidDataException($"{source}: '{Key}' lists {classes.Length} class names; a classifier has at least 2.");
            var probabilities = root.TryGetProperty("probabilitiesOutput", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            return new ExportedModelMetadata
            {
                FormatVersion = version,
                ClassNames = classes,
                InputName = String(root, "inputName", source),
                Height = height,
                Width = width,
                LogitsOutput = String(root, "logitsOutput", source),
                ProbabilitiesOutput = probabilities,
                Backbone = root.TryGetProperty("backbone", out var b) ? b.GetString() ?? "" : "",
                Opset = root.TryGetProperty("opset", out var o) && o.ValueKind == JsonValueKind.Number ? o.GetInt32() : 0,
                _decode = options,
            };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: '{Key}' is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: '{Key}' has a value of the wrong type: {e.Message}", e);
        }
    }

    private static JsonElement Property(JsonElement element, string name, string source) =>
        element.TryGetProperty(name, out var value) ? value : throw new InvalidDataException($"{source}: '{Key}' has no '{name}' field.");

    private static int Int(JsonElement e, string name, string source) => Property(e, name, source).GetInt32();

    private static bool Bool(JsonElement e, string name, string source) => Property(e, name, source).GetBoolean();

    private static string String(JsonElement e, string name, string source) =>
        Property(e, name, source).GetString() is { Length: > 0 } s ? s : throw new InvalidDataException($"{source}: '{Key}' field '{name}' is empty.");

    private static T Enum<T>(JsonElement e, string name, string source) where T : struct, Enum
    {
        string text = String(e, name, source);
        return System.Enum.TryParse<T>(text, ignoreCase: false, out var value) && System.Enum.IsDefined(value) ? value
            : throw new InvalidDataException($"{source}: '{Key}' field '{name}' is '{text}'; expected one of {string.Join(", ", System.Enum.GetNames<T>())}.");
    }
}
