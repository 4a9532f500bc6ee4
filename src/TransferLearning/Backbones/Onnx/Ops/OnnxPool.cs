using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX MaxPool and AveragePool (2-D) with asymmetric pads, ceil_mode and count_include_pad. The output size follows
/// the ONNX formula; the input is padded explicitly (−∞ for max, 0 for average) to exactly the extent the windows
/// cover, then pooled without implicit padding. Averages divide by the number of counted elements (input only, or
/// input and pads with count_include_pad = 1; never the ceil-mode overhang), as ONNX Runtime does.
/// </summary>
internal sealed class OnnxPool : OnnxNode
{
    private readonly OnnxSpatial _spatial;
    private readonly bool _max;
    private readonly bool _ceil;
    private readonly bool _countIncludePad;

    public OnnxPool(OnnxNodeContext context) : base(context, new[] { 0 })
    {
        _max = context.OpType == "MaxPool";
        if (_max)
        {
            context.AllowOnly("auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides");
            if (context.Node.Output.Count > 1 && context.Node.Output[1].Length > 0)
                throw context.Error("Indices", "the Indices output of MaxPool is not supported.");
        }
        else
        {
            context.AllowOnly("auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides");
        }
        if (context.Constant(0) is not null) throw context.Error("X", "a constant pooling input is not supported.");
        long[] kernel = context.Ints("kernel_shape") ?? throw context.Error("kernel_shape", "kernel_shape is required.");
        _spatial = new OnnxSpatial(context, kernel, dilationsAllowed: _max);
        long ceil = context.Int("ceil_mode", 0);
        if (ceil is not (0 or 1)) throw context.Error("ceil_mode", $"ceil_mode must be 0 or 1; got {ceil}.");
        _ceil = ceil == 1;
        long include = context.Int("count_include_pad", 0);
        if (include is not (0 or 1)) throw context.Error("count_include_pad", $"count_include_pad must be 0 or 1; got {include}.");
        _countIncludePad = include == 1;
    }

    public override Tensor[] Run(Tensor[] inputs)
    {
        var x = inputs[0];
        if (x.dim() != 4) throw new InvalidOperationException($"ONNX node '{NodeName}' ({OpType}) expects an N x C x H x W input; got shape [{string.Join(", ", x.shape)}].");
        long h = x.shape[2], w = x.shape[3];
        var p = _spatial.Pads(h, w);
        long outH = _spatial.OutputSize(0, h, p[0], p[2], _ceil);
        long outW = _spatial.OutputSize(1, w, p[1], p[3], _ceil);
        if (outH <= 0 || outW <= 0)
            throw new InvalidOperationException($"ONNX node '{NodeName}' ({OpType}): a {h} x {w} input is too small for kernel [{string.Join(", ", _spatial.Kernel)}] with pads [{string.Join(", ", p)}].");
        // End pads that make the windows cover exactly outH x outW positions (extra beyond the pads is ceil-mode overhang).
        long spanH = (_spatial.Kernel[0] - 1) * _spatial.Dilations[0] + 1, spanW = (_spatial.Kernel[1] - 1) * _spatial.Dilations[1] + 1;
        long endH = (outH - 1) * _spatial.Strides[0] + spanH - h - p[0];
        long endW = (outW - 1) * _spatial.Strides[1] + spanW - w - p[1];
        var zero = new long[] { 0, 0 };
        if (_max)
        {
            var source = p[0] == 0 && p[1] == 0 && endH == 0 && endW == 0 ? x : pad(x, new[] { p[1], endW, p[0], endH }, value: double.NegativeInfinity);
            return new[] { max_pool2d(source, _spatial.Kernel, _spatial.Strides, zero, _spatial.Dilations) };
        }
        bool noPadding = p.All(v => v == 0) && endH <= 0 && endW <= 0;
        if (noPadding) return new[] { avg_pool2d(x, _spatial.Kernel, _spatial.Strides, zero) };
        var padded = pad(x, new[] { p[1], endW, p[0], endH });
        var sums = avg_pool2d(padded, _spatial.Kernel, _spatial.Strides, zero, divisor_override: 1);
        // Count the elements each window averages: ones over the input (and the pads when count_include_pad = 1).
        using var ones = TorchSharp.torch.ones(new long[] { 1, 1, h, w }, dtype: x.dtype, device: x.device);
        var counted = _countIncludePad
            ? pad(ones, new[] { p[1], Math.Min(p[3], endW), p[0], Math.Min(p[2], endH) }, value: 1.0)
            : ones;
        var mask = pad(counted, new[] { _countIncludePad ? 0 : p[1], endW - (_countIncludePad ? Math.Min(p[3], endW) : 0), _countIncludePad ? 0 : p[0], endH - (_countIncludePad ? Math.Min(p[2], endH) : 0) });
        var counts = avg_pool2d(mask, _spatial.Kernel, _spatial.Strides, zero, divisor_override: 1);
        return new[] { sums / counts };
    }
}
