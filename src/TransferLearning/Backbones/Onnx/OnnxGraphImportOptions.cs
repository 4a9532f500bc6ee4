namespace TransferLearning.Backbones.Onnx;

/// <summary>
/// How <see cref="OnnxBackbone.LoadGraph"/> imports an ONNX file whole — classifier included, with the graph's own
/// output of any rank (logits, embeddings) — rather than cut as a backbone. Values are copied when loading.
/// </summary>
public sealed class OnnxGraphImportOptions
{
    /// <summary>
    /// The module's name. Default <c>null</c>: the file name without extension, lower case.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// The value the module returns: a node name or a value (tensor) name of the graph. Default <c>null</c>: the graph's
    /// own (first) declared output, as it is — nothing is stripped.
    /// </summary>
    public string? OutputName { get; set; }

    internal OnnxGraphImportOptions Copy() => (OnnxGraphImportOptions)MemberwiseClone();
}
