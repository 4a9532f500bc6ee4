using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Pad: mode constant (any axes, negative pads crop), reflect and edge (the two spatial axes of an N×C×H×W
/// input). Pads and value are attributes before opset 11 and constant inputs from 11; the <c>axes</c> input (18+) is
/// not supported.
/// </summary>
internal sealed class OnnxPad : OnnxNode
{
    private readonly long[] _torchPads;
    private readonly PaddingModes _mode;
    private readonly double _value;
    private readonly int _rank;

    public OnnxPad(OnnxNodeContext context) : base(context, new[] { 0 })
    {
        if (context.Constant(0) is not null) throw context.Error("data", "a constant input to Pad is not supported.");
        long[] pads;
        if (context.Opset < 11)
        {
            context.AllowOnly("mode", "pads", "value");
            pads = context.Ints("pads") ?? throw context.Error("pads", "pads is required.");
            _value = context.Float("value", 0f);
        }
        else
        {
            context.AllowOnly("mode");
            pads = context.ConstantLongs(1, "pads");
            _value = context.HasInput(2) ? context.ConstantScalar(2, "constant_value") : 0.0;
            if (context.HasInput(3)) throw context.Error("axes", "the axes input is not supported; give pads for every axis.");
        }
        if (pads.Length % 2 != 0) throw context.Error("pads", $"pads must hold 2 values per axis; got {pads.Length}.");
        _rank = pads.Length / 2;
        string mode = context.String("mode", "constant");
        _mode = mode switch
        {
            "constant" => PaddingModes.Constant,
            "reflect" => PaddingModes.Reflect,
            "edge" => PaddingModes.Replicate,
            _ => throw context.Error("mode", $"mode '{mode}' is not supported; supported: constant, reflect, edge."),
        };
        if (_mode != PaddingModes.Constant)
        {
            if (_rank != 4 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0)
                throw context.Error("pads", $"mode '{mode}' is supported on the H and W axes of an N x C x H x W input only; pads [{string.Join(", ", pads)}].");
            if (pads.Any(p => p < 0)) throw context.Error("pads", $"negative pads are supported in constant mode only; pads [{string.Join(", ", pads)}].");
        }
        // ONNX: [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; torch: (last_begin, last_end, previous_begin, previous_end, ...).
        var torchPads = new List<long>();
        for (int axis = _rank - 1; axis >= 0; axis--)
        {
            if (_mode != PaddingModes.Constant && axis < 2) break;
            torchPads.Add(pads[axis]);
            torchPads.Add(pads[axis + _rank]);
        }
        _torchPads = torchPads.ToArray();
    }

    public override Tensor[] Run(Tensor[] inputs)
    {
        var x = inputs[0];
        if (x.dim() != _rank) throw new InvalidOperationException($"ONNX node '{NodeName}' (Pad): pads are for rank {_rank}; the input has shape [{string.Join(", ", x.shape)}].");
        return new[] { pad(x, _torchPads, _mode, _value) };
    }
}
