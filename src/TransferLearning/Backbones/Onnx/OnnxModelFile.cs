using Google.Protobuf;
using TransferLearning.Backbones.Onnx.Proto;

namespace TransferLearning.Backbones.Onnx;

/// <summary>Reads an ONNX file and checks the operator set it was written for.</summary>
internal static class OnnxModelFile
{
    /// <summary>Lowest default-domain opset the importer implements (numpy broadcasting in Add/Sub/Mul/Div starts at 7).</summary>
    public const int MinOpset = 7;

    /// <summary>Highest default-domain opset whose semantics of the supported ops the importer implements.</summary>
    public const int MaxOpset = 22;

    public static ModelProto Read(string path, string parameterName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path, parameterName);
        var model = Parse(path, (message, _) => new OnnxImportException(message));
        if (model.Graph is null || model.Graph.Node.Count == 0)
            throw new OnnxImportException($"'{path}' holds no graph (or an empty one); is it an ONNX model file?");
        return model;
    }

    /// <summary>
    /// Parses an ONNX file: <see cref="FileNotFoundException"/> when it is missing, and the exception
    /// <paramref name="invalid"/> makes from the message (naming the file) and the protobuf error when it is not ONNX.
    /// </summary>
    public static ModelProto Parse(string path, Func<string, InvalidProtocolBufferException, Exception> invalid)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"ONNX file '{path}' does not exist.", path);
        try
        {
            using var stream = File.OpenRead(path);
            return ModelProto.Parser.ParseFrom(stream);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw invalid($"'{path}' is not a valid ONNX (protobuf) file: {e.Message}", e);
        }
    }

    /// <summary>The default-domain opset version of <paramref name="model"/>, checked to lie in [<see cref="MinOpset"/>, <see cref="MaxOpset"/>].</summary>
    public static int DefaultOpset(ModelProto model, string source)
    {
        var entry = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        if (entry is null)
            throw new OnnxImportException($"{source} imports no default-domain (ai.onnx) operator set; opsets: [{string.Join(", ", model.OpsetImport.Select(o => $"'{o.Domain}' v{o.Version}"))}].");
        if (entry.Version < MinOpset || entry.Version > MaxOpset)
            throw new OnnxImportException($"{source} uses ai.onnx opset {entry.Version}; supported opsets are {MinOpset} to {MaxOpset}.", attributeName: "opset_import");
        return (int)entry.Version;
    }
}
