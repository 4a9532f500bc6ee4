namespace TransferLearning.Backbones.Onnx;

/// <summary>
/// An ONNX file that cannot be imported exactly: an unsupported operator, opset, attribute value or data layout.
/// The importer never builds a silently different graph; it throws this instead, naming the op, the node and the attribute.
/// </summary>
public sealed class OnnxImportException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The full message, naming what is unsupported.</param>
    /// <param name="opType">The ONNX operator, for example <c>Conv</c>; <c>null</c> when the problem is not a node's.</param>
    /// <param name="nodeName">The node's name (or a generated <c>OpType#index</c> for unnamed nodes); <c>null</c> when not a node's.</param>
    /// <param name="attributeName">The attribute or input at fault; <c>null</c> when not an attribute's.</param>
    public OnnxImportException(string message, string? opType = null, string? nodeName = null, string? attributeName = null)
        : base(message)
    {
        OpType = opType;
        NodeName = nodeName;
        AttributeName = attributeName;
    }

    /// <summary>The ONNX operator at fault, for example <c>Conv</c>; <c>null</c> when the problem is not a node's.</summary>
    public string? OpType { get; }

    /// <summary>The node at fault; <c>null</c> when the problem is not a node's.</summary>
    public string? NodeName { get; }

    /// <summary>The attribute (or input) at fault; <c>null</c> when the problem is not an attribute's.</summary>
    public string? AttributeName { get; }
}
