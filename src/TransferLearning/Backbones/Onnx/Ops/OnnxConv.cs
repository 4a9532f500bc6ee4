using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Conv (2-D): groups, dilations, strides, symmetric or asymmetric pads (asymmetric: an explicit zero pad, then
/// an unpadded convolution), auto_pad. The weight and bias initializers become trainable parameters.
/// </summary>
internal sealed class OnnxConv : OnnxNode
{
    private readonly OnnxSpatial _spatial;
    private readonly long _groups;
    private readonly bool _hasBias;

    public OnnxConv(OnnxNodeContext context) : base(context, new[] { 0 })
    {
        context.AllowOnly("auto_pad", "dilations", "group", "kernel_shape", "pads", "strides");
        if (context.Constant(0) is not null) throw context.Error("X", "the convolution's input X is a constant; only run-time inputs are supported.");
        var w = context.RequireConstant(1, "W");
        if (w.dim() != 4) throw context.Error("W", $"only 2-D convolutions are supported; the weight has shape [{string.Join(", ", w.shape)}].");
        long[] kernel = context.Ints("kernel_shape") ?? new[] { w.shape[2], w.shape[3] };
        if (kernel.Length != 2 || kernel[0] != w.shape[2] || kernel[1] != w.shape[3])
            throw context.Error("kernel_shape", $"kernel_shape [{string.Join(", ", kernel)}] does not match the weight's shape [{string.Join(", ", w.shape)}].");
        _spatial = new OnnxSpatial(context, kernel, dilationsAllowed: true);
        _groups = context.Int("group", 1);
        if (_groups <= 0 || w.shape[0] % _groups != 0) throw context.Error("group", $"group {_groups} does not divide the {w.shape[0]} output channels.");
        register_parameter("weight", new Parameter(w.clone()));
        if (context.HasInput(2))
        {
            var b = context.RequireConstant(2, "B");
            if (b.dim() != 1 || b.shape[0] != w.shape[0]) throw context.Error("B", $"bias shape [{string.Join(", ", b.shape)}] does not match {w.shape[0]} output channels.");
            register_parameter("bias", new Parameter(b.clone()));
            _hasBias = true;
        }
    }

    public override Tensor[] Run(Tensor[] inputs)
    {
        var x = inputs[0];
        if (x.dim() != 4) throw new InvalidOperationException($"ONNX node '{NodeName}' (Conv) expects an N x C x H x W input; got shape [{string.Join(", ", x.shape)}].");
        var p = _spatial.Pads(x.shape[2], x.shape[3]);
        var weight = Param("weight");
        var bias = _hasBias ? Param("bias") : null;
        if (p[0] == p[2] && p[1] == p[3])
            return new[] { conv2d(x, weight, bias, _spatial.Strides, new[] { p[0], p[1] }, _spatial.Dilations, _groups) };
        var padded = pad(x, new[] { p[1], p[3], p[0], p[2] });
        return new[] { conv2d(padded, weight, bias, _spatial.Strides, new long[] { 0, 0 }, _spatial.Dilations, _groups) };
    }
}
