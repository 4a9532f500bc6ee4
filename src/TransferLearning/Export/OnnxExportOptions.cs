namespace TransferLearning.Export;

/// <summary>
/// How <see cref="Training.TransferTrainer.ExportOnnx"/> writes a model as ONNX. The values are copied when the export
/// starts; later changes to this object have no effect on it.
/// </summary>
public sealed class OnnxExportOptions
{
    /// <summary>The lowest ai.onnx operator set the exporter writes.</summary>
    public const int MinOpset = 13;

    /// <summary>The highest ai.onnx operator set the exporter writes.</summary>
    public const int MaxOpset = 17;

    /// <summary>The ai.onnx operator set of the file, <see cref="MinOpset"/> to <see cref="MaxOpset"/>. Default 17.</summary>
    public int Opset { get; set; } = MaxOpset;

    /// <summary>
    /// Whether the graph has a second output, <see cref="ProbabilitiesOutputName"/>, the softmax of the logits. Default
    /// <c>true</c>. The first output, <see cref="LogitsOutputName"/>, is always there.
    /// </summary>
    public bool IncludeProbabilities { get; set; } = true;

    /// <summary>The name of the graph input (float32 N×3×H×W, RGB, values 0..255, N dynamic). Default <c>images</c>.</summary>
    public string InputName { get; set; } = "images";

    /// <summary>The name of the logits output (float32 N×classes). Default <c>logits</c>.</summary>
    public string LogitsOutputName { get; set; } = "logits";

    /// <summary>The name of the probabilities output (float32 N×classes). Default <c>probabilities</c>.</summary>
    public string ProbabilitiesOutputName { get; set; } = "probabilities";

    /// <summary>Written as the model's <c>doc_string</c>. Default <c>null</c>: a sentence naming the backbone and the classes.</summary>
    public string? Description { get; set; }

    /// <summary>Returns a validated copy.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="Opset"/> is outside [<see cref="MinOpset"/>, <see cref="MaxOpset"/>].</exception>
    /// <exception cref="ArgumentException">A name is blank, or two of the names are equal.</exception>
    internal OnnxExportOptions Validated()
    {
        if (Opset < MinOpset || Opset > MaxOpset)
            throw new ArgumentOutOfRangeException(nameof(Opset), Opset, $"OnnxExportOptions.Opset must be between {MinOpset} and {MaxOpset}; got {Opset}.");
        foreach (var (value, name) in new[] { (InputName, nameof(InputName)), (LogitsOutputName, nameof(LogitsOutputName)), (ProbabilitiesOutputName, nameof(ProbabilitiesOutputName)) })
            if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"OnnxExportOptions.{name} must not be blank; got '{value}'.", name);
        var names = IncludeProbabilities ? new[] { InputName, LogitsOutputName, ProbabilitiesOutputName } : new[] { InputName, LogitsOutputName };
        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"The input and output names must differ; '{duplicate.Key}' is used {duplicate.Count()} times.", nameof(InputName));
        return (OnnxExportOptions)MemberwiseClone();
    }
}
