using TransferLearning.Backbones.Onnx.Proto;
using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx;

/// <summary>
/// Reads a preprocessing ONNX graph (such as the ResNet18 package's ResNetPreprocess.onnx: Split into R, G, B;
/// Concat to BGR; Sub of a 1×3×224×224 mean image) as an <see cref="ImagePreprocessing"/>.
/// </summary>
/// <remarks>
/// The graph is probed, not pattern-matched: it is run on a black image and on one unit image per input channel at
/// its declared size. It must be per-channel affine — each output channel a positive multiple of one input channel
/// plus an offset image — with RGB or BGR channel order, otherwise an <see cref="OnnxImportException"/> explains why.
/// An offset that varies over the image (a mean image) is <b>reduced to its per-channel average</b>, which makes the
/// preprocessing independent of the input size. <see cref="OnnxBackbone.Load"/> adds the per-pixel rest back inside
/// the features (resized to the input size) unless <see cref="OnnxImportOptions.ExactMeanImage"/> is off;
/// docs/backbones-onnx.md gives the measured difference for ResNet18 at 224×224.
/// </remarks>
public static class OnnxPreprocessing
{
    /// <summary>Reads the preprocessing graph at <paramref name="path"/>.</summary>
    /// <param name="path">The .onnx file; one float input N×3×H×W (0..255 RGB) and one output of the same shape.</param>
    /// <param name="name">The name of the returned preprocessing. Default <c>onnx</c>.</param>
    /// <exception cref="OnnxImportException">The graph uses an unsupported op or is not a per-channel affine transform.</exception>
    public static ImagePreprocessing FromOnnx(string path, string name = "onnx")
    {
        var preprocessing = Read(path, name, out var residual);
        residual?.Dispose();
        return preprocessing;
    }

    /// <summary>
    /// Like <see cref="FromOnnx"/>, and also returns the per-pixel part of the offset the per-channel preprocessing
    /// leaves out (1×3×H×W, in the weights' channel order; <c>null</c> when the offset is constant per channel).
    /// </summary>
    internal static ImagePreprocessing Read(string path, string name, out Tensor? residual)
    {
        var model = OnnxModelFile.Read(path, nameof(path));
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        TorchNative.EnsureLoaded();
        string source = $"Preprocessing graph '{path}'";
        using var graph = OnnxGraphImporter.Import(model, source, model.Graph.Output.FirstOrDefault()?.Name, "preprocessing");
        var (height, width) = DeclaredSize(model.Graph.Input.First(i => i.Name == graph.InputName), 224);
        var (order, mean, std, offsetResidual) = Probe(graph, height, width, source);
        residual = offsetResidual;
        ChannelOrder channelOrder = order.SequenceEqual(new[] { 0, 1, 2 }) ? ChannelOrder.Rgb
            : order.SequenceEqual(new[] { 2, 1, 0 }) ? ChannelOrder.Bgr
            : throw new OnnxImportException($"{source}: channel order [{string.Join(", ", order)}] is neither RGB nor BGR.");
        return new ImagePreprocessing(name, channelOrder, 1f, mean, std);
    }

    private static (int[] Order, float[] Mean, float[] Std, Tensor? Residual) Probe(OnnxGraphModule graph, int height, int width, string source)
    {
        graph.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var offset = Run(graph, zeros(1, 3, height, width), source);
        var slopes = new Tensor[3];
        for (int k = 0; k < 3; k++)
        {
            var unit = zeros(1, 3, height, width);
            unit[0, k] = tensor(1f);
            slopes[k] = Run(graph, unit, source) - offset;
            var twice = Run(graph, unit * 2, source) - offset;
            if ((twice - slopes[k] * 2).abs().max().item<float>() > 1e-3f * Math.Max(1f, slopes[k].abs().max().item<float>()))
                throw new OnnxImportException($"{source} is not linear in its input; only per-channel affine preprocessing (scale, channel order, mean) can be imported.");
        }
        var order = new int[3];
        var std = new float[3];
        var mean = new float[3];
        for (int c = 0; c < 3; c++)
        {
            var gains = Enumerable.Range(0, 3).Select(k => slopes[k][0, c]).ToArray();
            var used = Enumerable.Range(0, 3).Where(k => gains[k].abs().max().item<float>() > 1e-6f).ToArray();
            if (used.Length != 1)
                throw new OnnxImportException($"{source}: output channel {c} mixes input channels [{string.Join(", ", used)}]; only a channel reordering is supported.");
            var gain = gains[used[0]];
            float a = gain.mean().item<float>();
            if ((gain - a).abs().max().item<float>() > 1e-5f * Math.Abs(a) || !(a > 0))
                throw new OnnxImportException($"{source}: output channel {c} scales input channel {used[0]} by a factor that varies over the image or is not positive (mean {a}).");
            order[c] = used[0];
            std[c] = 1f / a;
            mean[c] = -offset[0, c].mean().item<float>() / a;
        }
        var residual = offset - offset.mean(new long[] { 2, 3 }, keepdim: true);
        bool constant = residual.abs().max().item<float>() <= 1e-6f * Math.Max(1f, offset.abs().max().item<float>());
        return (order, mean, std, constant ? null : residual.MoveToOuterDisposeScope());
    }

    private static Tensor Run(OnnxGraphModule graph, Tensor input, string source)
    {
        var output = graph.forward(input);
        if (!output.shape.SequenceEqual(input.shape))
            throw new OnnxImportException($"{source}: output shape [{string.Join(", ", output.shape)}] differs from the input shape [{string.Join(", ", input.shape)}].");
        return output;
    }

    internal static (int Height, int Width) DeclaredSize(ValueInfoProto input, int fallback)
    {
        var dims = input.Type?.TensorType?.Shape?.Dim;
        if (dims is not { Count: 4 }) return (fallback, fallback);
        int Size(int i) => dims[i].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[i].DimValue > 0 ? (int)dims[i].DimValue : fallback;
        return (Size(2), Size(3));
    }
}
