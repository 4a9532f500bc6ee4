using TorchSharp;
using TorchSharp.Modules;
using TransferLearning.Backbones;
using TransferLearning.Backbones.Onnx;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static TransferLearning.Export.OnnxGraphBuilder;

namespace TransferLearning.Export;

/// <summary>
/// Writes TorchSharp modules in inference mode as ONNX nodes with their current weights: Sequential (in order),
/// Conv2d, BatchNorm2d (running statistics), ReLU, the activations of <see cref="ActivationEmitter"/> (Sigmoid, SiLU,
/// Hardsigmoid, Hardswish, exact GELU), MaxPool2d, AvgPool2d, Dropout, Identity and stochastic depth (all three pass-through),
/// <see cref="Vgg16Features"/>, <see cref="ResNetFeatures"/> (each residual block as its branch, its shortcut, Add and Relu),
/// <see cref="EfficientNetFeatures"/> and <see cref="MobileNetV3Features"/> (their blocks and squeeze-excitations through
/// <see cref="MobileBlockEmitter"/>), <see cref="ConvNeXtFeatures"/> (blocks, LayerNorm2d, LayerNorm, Linear and permutes through
/// <see cref="ConvNeXtEmitter"/>) and graphs imported from ONNX (<see cref="ImportedGraphEmitter"/>).
/// </summary>
internal static class TorchModuleEmitter
{
    /// <summary>The module types that can be written.</summary>
    public const string Supported = "Sequential, Conv2d, BatchNorm2d, ReLU, Sigmoid, SiLU, Hardsigmoid, Hardswish, GELU (exact), MaxPool2d, AvgPool2d, Dropout, Identity, "
        + "StochasticDepth, LayerNorm, LayerNorm2d, Linear, Permute, Vgg16Features, ResNetFeatures, EfficientNetFeatures (MBConv), "
        + "MobileNetV3Features (InvertedResidual), SqueezeExcitation, ConvNeXtFeatures (CNBlock), imported ONNX graphs";

    /// <summary>Emits <paramref name="module"/> applied to the value <paramref name="input"/> (N×C×H×W at <paramref name="height"/>×<paramref name="width"/>); returns its output value.</summary>
    public static string Emit(OnnxGraphBuilder g, Module module, string input, string path, int height, int width)
    {
        switch (module)
        {
            case Sequential sequential:
                foreach (var (name, child) in sequential.named_children())
                    input = Emit(g, child, input, $"{path}.{name}", height, width);
                return input;
            case Vgg16Features vgg:
                var (childName, inner) = vgg.named_children().Single();
                return Emit(g, inner, input, $"{path}.{childName}", height, width);
            case ResNetFeatures or EfficientNetFeatures or MobileNetV3Features or ConvNeXtFeatures:
                // Children registered in the order forward runs them.
                foreach (var (name, child) in module.named_children())
                    input = Emit(g, child, input, $"{path}.{name}", height, width);
                return input;
            case ResNetBlock block:
                string branch = input;
                foreach (var (name, layer) in block.Branch)
                    branch = Emit(g, layer, branch, $"{path}.{name}", height, width);
                string shortcut = block.Downsample is { } downsample ? Emit(g, downsample, input, $"{path}.downsample", height, width) : input;
                return g.Node("Relu", new[] { g.Node("Add", new[] { branch, shortcut }, $"{path}.add") }, $"{path}.out");
            case EfficientNetMBConv mbConv:
                return MobileBlockEmitter.MBConv(g, mbConv, input, path, height, width);
            case MobileNetV3InvertedResidual invertedResidual:
                return MobileBlockEmitter.InvertedResidual(g, invertedResidual, input, path, height, width);
            case SqueezeExcitation se:
                return MobileBlockEmitter.SqueezeExcitation(g, se, input, path);
            case ConvNeXtBlock cnBlock:
                return ConvNeXtEmitter.Block(g, cnBlock, input, path, height, width);
            case LayerNorm2d layerNorm2d:
                return ConvNeXtEmitter.LayerNorm2d(g, layerNorm2d, input, path);
            case LayerNorm layerNorm:
                return ConvNeXtEmitter.LayerNorm(g, layerNorm, input, path);
            case Linear linear:
                return ConvNeXtEmitter.Linear(g, linear, input, path);
            case ConvNeXtPermute permute:
                return ConvNeXtEmitter.Permute(g, permute.Dims, input, path);
            case OnnxGraphModule graph:
                return ImportedGraphEmitter.Emit(g, graph, input, path, height, width);
            case Conv2d conv:
                return Conv(g, conv, input, path);
            case BatchNorm2d bn:
                return BatchNorm(g, bn, input, path);
            case TorchSharp.Modules.ReLU:
                return g.Node("Relu", new[] { input }, path);
            case MaxPool2d pool:
                return g.Node("MaxPool", new[] { input }, path,
                    Ints("kernel_shape", Pair(pool.kernel_size)),
                    Ints("strides", Pair(pool.stride ?? pool.kernel_size)),
                    Ints("pads", Pads(pool.padding)),
                    Ints("dilations", Pair(pool.dilation ?? new long[] { 1 })),
                    Int("ceil_mode", pool.ceil_mode ? 1 : 0));
            case AvgPool2d pool:
                if (pool.divisor_override is not null)
                    throw new OnnxExportException($"Module '{path}' (AvgPool2d) uses divisor_override = {pool.divisor_override}, which ONNX AveragePool cannot express.");
                return g.Node("AveragePool", new[] { input }, path,
                    Ints("kernel_shape", Pair(pool.kernel_size)),
                    Ints("strides", Pair(pool.stride ?? pool.kernel_size)),
                    Ints("pads", Pads(pool.padding)),
                    Int("ceil_mode", pool.ceil_mode ? 1 : 0),
                    Int("count_include_pad", pool.count_include_pad ? 1 : 0));
            case TorchSharp.Modules.Dropout:
            case TorchSharp.Modules.Identity:
            case StochasticDepth:
                return input;
            default:
                if (ActivationEmitter.TryEmit(g, module, input, path, out string activated)) return activated;
                throw new OnnxExportException(
                    $"Module '{path}' of type {module.GetType().Name} cannot be exported to ONNX. Supported: {Supported}.");
        }
    }

    private static string Conv(OnnxGraphBuilder g, Conv2d conv, string input, string path)
    {
        if (conv.transposed) throw new OnnxExportException($"Module '{path}' is a transposed convolution, which the exporter does not write.");
        if (conv.padding_mode != PaddingModes.Zeros)
            throw new OnnxExportException($"Module '{path}' (Conv2d) pads with {conv.padding_mode}; only zero padding is exported.");
        var attributes = new List<TransferLearning.Backbones.Onnx.Proto.AttributeProto>
        {
            Ints("kernel_shape", Pair(conv.kernel_size)),
            Ints("strides", Pair(conv.stride ?? new long[] { 1 })),
            Ints("dilations", Pair(conv.dilation ?? new long[] { 1 })),
            Int("group", conv.groups),
        };
        if (conv.padding_type == Padding.Same) attributes.Add(String("auto_pad", "SAME_UPPER"));
        else if (conv.padding_type == Padding.Valid) attributes.Add(Ints("pads", new long[4]));
        else attributes.Add(Ints("pads", Pads(conv.padding ?? new long[] { 0 })));
        var inputs = new List<string> { input, g.Initializer($"{path}.weight", conv.weight!) };
        if (conv.bias is { } bias) inputs.Add(g.Initializer($"{path}.bias", bias));
        return g.Node("Conv", inputs, path, attributes.ToArray());
    }

    private static string BatchNorm(OnnxGraphBuilder g, BatchNorm2d bn, string input, string path)
    {
        if (!bn.track_running_stats || bn.running_mean is null || bn.running_var is null)
            throw new OnnxExportException($"Module '{path}' (BatchNorm2d) keeps no running statistics, so its inference output depends on the batch; it cannot be exported.");
        long channels = bn.num_features;
        string scale = bn.weight is { } w ? g.Initializer($"{path}.weight", w) : g.Initializer($"{path}.weight", Enumerable.Repeat(1f, (int)channels).ToArray(), new[] { channels });
        string shift = bn.bias is { } b ? g.Initializer($"{path}.bias", b) : g.Initializer($"{path}.bias", new float[channels], new[] { channels });
        return g.Node("BatchNormalization",
            new[] { input, scale, shift, g.Initializer($"{path}.running_mean", bn.running_mean), g.Initializer($"{path}.running_var", bn.running_var) },
            path, Float("epsilon", (float)bn.eps));
    }

    /// <summary>A 2-D window parameter: one value means both axes.</summary>
    private static long[] Pair(long[] values) => values.Length == 1 ? new[] { values[0], values[0] } : values;

    /// <summary>Symmetric torch padding (h, w) as ONNX pads [top, left, bottom, right].</summary>
    private static long[] Pads(long[]? padding)
    {
        var p = Pair(padding ?? new long[] { 0 });
        return new[] { p[0], p[1], p[0], p[1] };
    }
}
