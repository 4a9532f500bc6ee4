using System.Text;
using TransferLearning.Backbones.Onnx.Proto;
using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx;

/// <summary>
/// What an op needs to build itself from one ONNX node: its attributes (read with validation), which of its inputs are
/// constants (initializers or Constant outputs) and errors that name the op, the node and the attribute.
/// </summary>
internal sealed class OnnxNodeContext
{
    private readonly Func<string, Tensor?> _constant;
    private readonly Func<string, bool> _isWeight;

    public OnnxNodeContext(NodeProto node, string displayName, int opset, Func<string, Tensor?> constant, long? declaredBatch, Func<string, bool>? isWeight = null)
    {
        Node = node;
        DisplayName = displayName;
        Opset = opset;
        _constant = constant;
        DeclaredBatch = declaredBatch;
        _isWeight = isWeight ?? (_ => false);
    }

    /// <summary>
    /// The same node with every input treated as computed at run time: used to evaluate (fold) a node whose inputs
    /// are all constants by running it once at import.
    /// </summary>
    public OnnxNodeContext AllRuntime() => new(Node, DisplayName, Opset, _ => null, DeclaredBatch);

    /// <summary>
    /// Whether constant input <paramref name="index"/> is a floating-point weight of the file (an initializer, or an
    /// Identity or fold of one) rather than a Constant node's value: such inputs become trainable parameters.
    /// </summary>
    public bool IsWeight(int index) => HasInput(index) && _isWeight(Node.Input[index]) && Constant(index) is { } t && t.is_floating_point();

    public NodeProto Node { get; }

    /// <summary>The node's name, or <c>OpType#index</c> when the file leaves it empty.</summary>
    public string DisplayName { get; }

    public string OpType => Node.OpType;

    /// <summary>The model's default-domain opset version.</summary>
    public int Opset { get; }

    /// <summary>The graph input's declared batch size when it is a fixed number (CNTK and many exports say 1).</summary>
    public long? DeclaredBatch { get; }

    public int InputCount => Node.Input.Count;

    /// <summary>Whether input <paramref name="index"/> is present (ONNX marks an omitted optional input with an empty name).</summary>
    public bool HasInput(int index) => index < Node.Input.Count && Node.Input[index].Length > 0;

    /// <summary>The constant value of input <paramref name="index"/>, or <c>null</c> when it is computed at run time or absent.</summary>
    public Tensor? Constant(int index) => HasInput(index) ? _constant(Node.Input[index]) : null;

    /// <summary>The constant value of input <paramref name="index"/>; an error naming <paramref name="role"/> when it is not constant.</summary>
    public Tensor RequireConstant(int index, string role)
    {
        if (!HasInput(index)) throw Error(role, $"input {index} ({role}) is required.");
        return Constant(index) ?? throw Error(role,
            $"input {index} ({role}) '{Node.Input[index]}' is computed at run time; only initializers and Constant outputs are supported there.");
    }

    public OnnxImportException Error(string? attribute, string message)
    {
        var text = new StringBuilder($"ONNX node '{DisplayName}' (op {OpType}");
        if (attribute is not null) text.Append($", attribute '{attribute}'");
        text.Append("): ").Append(message);
        return new OnnxImportException(text.ToString(), OpType, DisplayName, attribute);
    }

    /// <summary>Throws for any attribute not in <paramref name="known"/>: an attribute the importer ignores could change the graph.</summary>
    public void AllowOnly(params string[] known)
    {
        foreach (var attribute in Node.Attribute)
            if (!known.Contains(attribute.Name))
                throw Error(attribute.Name, $"attribute '{attribute.Name}' is not supported for {OpType} (supported: {(known.Length == 0 ? "none" : string.Join(", ", known))}).");
    }

    private AttributeProto? Find(string name) => Node.Attribute.FirstOrDefault(a => a.Name == name);

    public bool Has(string name) => Find(name) is not null;

    public long Int(string name, long defaultValue)
    {
        var a = Find(name);
        if (a is null) return defaultValue;
        Expect(a, AttributeProto.Types.AttributeType.Int);
        return a.I;
    }

    public float Float(string name, float defaultValue)
    {
        var a = Find(name);
        if (a is null) return defaultValue;
        Expect(a, AttributeProto.Types.AttributeType.Float);
        return a.F;
    }

    public string String(string name, string defaultValue)
    {
        var a = Find(name);
        if (a is null) return defaultValue;
        Expect(a, AttributeProto.Types.AttributeType.String);
        return a.S.ToStringUtf8();
    }

    public long[]? Ints(string name)
    {
        var a = Find(name);
        if (a is null) return null;
        Expect(a, AttributeProto.Types.AttributeType.Ints);
        return a.Ints.ToArray();
    }

    public float[]? Floats(string name)
    {
        var a = Find(name);
        if (a is null) return null;
        Expect(a, AttributeProto.Types.AttributeType.Floats);
        return a.Floats.ToArray();
    }

    public TensorProto? TensorAttribute(string name)
    {
        var a = Find(name);
        if (a is null) return null;
        Expect(a, AttributeProto.Types.AttributeType.Tensor);
        return a.T;
    }

    private void Expect(AttributeProto a, AttributeProto.Types.AttributeType type)
    {
        // IR < 0.0.2 files may leave the type unset; accept them when the value field matches.
        if (a.Type != type && a.Type != AttributeProto.Types.AttributeType.Undefined)
            throw Error(a.Name, $"expected a {type} attribute; the file has {a.Type}.");
    }

    /// <summary>Reads an int64 constant input (shape, pads, split) as a managed array.</summary>
    public long[] ConstantLongs(int index, string role)
    {
        var t = RequireConstant(index, role);
        if (t.dtype != ScalarType.Int64) throw Error(role, $"input {index} ({role}) must be an int64 tensor; got {t.dtype}.");
        using var contiguous = t.contiguous();
        return contiguous.data<long>().ToArray();
    }

    /// <summary>Reads a scalar constant input (Clip's min/max, Pad's value) as a float.</summary>
    public float ConstantScalar(int index, string role)
    {
        var t = RequireConstant(index, role);
        if (t.numel() != 1) throw Error(role, $"input {index} ({role}) must be a scalar; got shape [{string.Join(", ", t.shape)}].");
        using var asFloat = t.to_type(ScalarType.Float32);
        return asFloat.item<float>();
    }
}
