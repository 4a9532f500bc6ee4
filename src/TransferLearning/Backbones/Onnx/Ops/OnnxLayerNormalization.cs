using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX LayerNormalization (opset 17): normalises over the axes from <c>axis</c> (default −1) to the last, then scales
/// and shifts; Scale and B (weights of the file) become trainable parameters. The Mean and InvStdDev outputs are not
/// supported. (Opset-13 exports decompose it into ReduceMean, Sub, Pow, Sqrt and Div, which import as they are.)
/// </summary>
internal sealed class OnnxLayerNormalization : OnnxValueNode
{
    private readonly long _axis;
    private readonly double _epsilon;

    public OnnxLayerNormalization(OnnxNodeContext context) : base(context)
    {
        context.AllowOnly("axis", "epsilon", "stash_type");
        if (!context.HasInput(1)) throw context.Error("Scale", "the Scale input is required.");
        if (context.Node.Output.Skip(1).Any(o => o.Length > 0)) throw context.Error("outputs", "the Mean and InvStdDev outputs are not supported.");
        long stash = context.Int("stash_type", 1);
        if (stash != 1) throw context.Error("stash_type", $"stash_type {stash} is not supported; only 1 (float32).");
        _axis = context.Int("axis", -1);
        _epsilon = context.Float("epsilon", 1e-5f);
    }

    protected override Tensor[] Compute(Tensor?[] inputs)
    {
        var x = inputs[0]!;
        long axis = Axis(_axis, x.dim());
        var normalized = x.shape.Skip((int)axis).ToArray();
        var scale = inputs[1]!;
        var bias = inputs.Length > 2 ? inputs[2] : null;
        if (scale.shape.SequenceEqual(normalized) && (bias is null || bias.shape.SequenceEqual(normalized)))
            return new[] { layer_norm(x, normalized, scale, bias, _epsilon) };
        // Scale or B broadcast (ONNX allows unidirectional broadcasting): normalise, then apply them.
        var y = layer_norm(x, normalized, null, null, _epsilon) * scale;
        return new[] { bias is null ? y : y + bias };
    }
}
