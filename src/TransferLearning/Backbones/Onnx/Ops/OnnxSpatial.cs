namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// The 2-D window geometry shared by Conv, MaxPool and AveragePool: kernel, strides, dilations and ONNX padding
/// (explicit <c>pads</c> = [top, left, bottom, right], or <c>auto_pad</c> resolved from the input size at run time).
/// </summary>
internal sealed class OnnxSpatial
{
    private readonly string _autoPad;
    private readonly long[] _pads;

    public OnnxSpatial(OnnxNodeContext context, long[] kernel, bool dilationsAllowed)
    {
        if (kernel.Length != 2 || kernel.Any(k => k <= 0))
            throw context.Error("kernel_shape", $"only 2-D windows (N x C x H x W inputs) are supported; kernel is [{string.Join(", ", kernel)}].");
        Kernel = kernel;
        Strides = context.Ints("strides") ?? new long[] { 1, 1 };
        if (Strides.Length != 2 || Strides.Any(s => s <= 0)) throw context.Error("strides", $"expected 2 positive strides; got [{string.Join(", ", Strides)}].");
        Dilations = context.Ints("dilations") ?? new long[] { 1, 1 };
        if (Dilations.Length != 2 || Dilations.Any(d => d <= 0)) throw context.Error("dilations", $"expected 2 positive dilations; got [{string.Join(", ", Dilations)}].");
        if (!dilationsAllowed && Dilations.Any(d => d != 1)) throw context.Error("dilations", $"dilations other than 1 are not supported for {context.OpType}; got [{string.Join(", ", Dilations)}].");
        _autoPad = context.String("auto_pad", "NOTSET");
        if (_autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER"))
            throw context.Error("auto_pad", $"unknown auto_pad '{_autoPad}'; supported: NOTSET, VALID, SAME_UPPER, SAME_LOWER.");
        _pads = context.Ints("pads") ?? new long[4];
        if (_pads.Length != 4 || _pads.Any(p => p < 0)) throw context.Error("pads", $"expected 4 non-negative pads [top, left, bottom, right]; got [{string.Join(", ", _pads)}].");
        if (_autoPad != "NOTSET" && _pads.Any(p => p != 0)) throw context.Error("pads", $"pads [{string.Join(", ", _pads)}] and auto_pad '{_autoPad}' cannot both be set.");
    }

    public long[] Kernel { get; }

    public long[] Strides { get; }

    public long[] Dilations { get; }

    /// <summary>Whether the padding does not depend on the input size.</summary>
    public bool IsStatic => _autoPad is "NOTSET" or "VALID";

    /// <summary>The pads [top, left, bottom, right] for an input of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public long[] Pads(long height, long width)
    {
        switch (_autoPad)
        {
            case "NOTSET": return _pads;
            case "VALID": return new long[4];
        }
        var pads = new long[4];
        long[] size = { height, width };
        for (int i = 0; i < 2; i++)
        {
            long output = (size[i] + Strides[i] - 1) / Strides[i];
            long total = Math.Max(0, (output - 1) * Strides[i] + (Kernel[i] - 1) * Dilations[i] + 1 - size[i]);
            long small = total / 2, large = total - small;
            pads[i] = _autoPad == "SAME_UPPER" ? small : large;
            pads[i + 2] = _autoPad == "SAME_UPPER" ? large : small;
        }
        return pads;
    }

    /// <summary>The output size along one axis, following the ONNX pooling formula (floor or ceil mode).</summary>
    public long OutputSize(int axis, long input, long padBegin, long padEnd, bool ceilMode)
    {
        long span = (Kernel[axis] - 1) * Dilations[axis] + 1;
        long numerator = input + padBegin + padEnd - span;
        long output = ceilMode ? CeilDiv(numerator, Strides[axis]) + 1 : FloorDiv(numerator, Strides[axis]) + 1;
        // A window that would start in the end padding produces nothing (ONNX pooling spec and ONNX Runtime).
        if (ceilMode && (output - 1) * Strides[axis] >= input + padBegin) output--;
        return output;
    }

    private static long FloorDiv(long a, long b) => (long)Math.Floor((double)a / b);

    private static long CeilDiv(long a, long b) => (long)Math.Ceiling((double)a / b);
}
