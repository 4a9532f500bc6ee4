using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Slice: starts, ends, axes and steps as attributes (before opset 10) or inputs, constant or computed at run
/// time (PyTorch's exporter computes the ends of a channel split from the input's Shape). Out-of-range bounds are
/// clamped as ONNX specifies; negative steps walk backwards.
/// </summary>
internal sealed class OnnxSlice : OnnxValueNode
{
    private readonly long[]? _starts, _ends, _axes;

    public OnnxSlice(OnnxNodeContext context) : base(context, i => i == 0)
    {
        if (context.Opset < 10)
        {
            context.AllowOnly("starts", "ends", "axes");
            _starts = context.Ints("starts") ?? throw context.Error("starts", "starts is required.");
            _ends = context.Ints("ends") ?? throw context.Error("ends", "ends is required.");
            _axes = context.Ints("axes");
        }
        else
        {
            context.AllowOnly();
            if (!context.HasInput(1) || !context.HasInput(2)) throw context.Error("starts", "the starts and ends inputs are required.");
        }
    }

    protected override Tensor[] Compute(Tensor?[] inputs)
    {
        var x = inputs[0]!;
        long[] starts = _starts ?? Longs(inputs[1]!);
        long[] ends = _ends ?? Longs(inputs[2]!);
        long[] axes = _axes ?? (Has(3) ? Longs(inputs[3]!) : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray());
        long[] steps = Has(4) ? Longs(inputs[4]!) : Enumerable.Repeat(1L, starts.Length).ToArray();
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw Failure($"starts [{string.Join(", ", starts)}], ends [{string.Join(", ", ends)}], axes [{string.Join(", ", axes)}] and steps [{string.Join(", ", steps)}] differ in length.");
        var y = x;
        for (int i = 0; i < starts.Length; i++)
        {
            long axis = Axis(axes[i], x.dim());
            long length = x.shape[axis];
            long step = steps[i];
            if (step == 0) throw Failure("a step of 0 is invalid.");
            long start = starts[i] < 0 ? starts[i] + length : starts[i];
            long end = ends[i] < 0 ? ends[i] + length : ends[i];
            if (step > 0)
            {
                start = Math.Clamp(start, 0, length);
                end = Math.Clamp(end, 0, length);
                y = end <= start ? y.narrow(axis, 0, 0) : y.slice(axis, start, end, step);
            }
            else
            {
                start = Math.Clamp(start, 0, length - 1);
                end = Math.Clamp(end, -1, length - 1);
                var picked = arange(start, end, step, ScalarType.Int64, device: x.device);
                y = y.index_select(axis, picked);
            }
        }
        return new[] { ReferenceEquals(y, x) ? x.alias() : y };
    }
}
