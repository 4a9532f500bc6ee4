using TorchSharp.Modules;
using TransferLearning.Backbones;
using static TorchSharp.torch;
using static TransferLearning.Export.OnnxGraphBuilder;

namespace TransferLearning.Export;

/// <summary>
/// Writes ConvNeXt's layers in inference semantics: <see cref="ConvNeXtBlock"/> as its branch (depthwise 7×7 Conv, Transpose to
/// N×H×W×C, layer norm, Linear, GELU, Linear, Transpose back), times <c>layer_scale</c>, plus the input (stochastic depth is
/// the identity in inference); <see cref="LayerNorm2d"/> as Transpose, layer norm over C, Transpose; a layer norm over the last
/// axes as <c>LayerNormalization</c> from opset 17, else as ReduceMean, Sub, Mul, ReduceMean, Add, Sqrt, Div (then the affine
/// Mul and Add); Linear as <c>MatMul</c> with the transposed weight and <c>Add</c> of the bias.
/// </summary>
internal static class ConvNeXtEmitter
{
    private static readonly long[] ToChannelsLast = { 0, 2, 3, 1 };
    private static readonly long[] ToChannelsFirst = { 0, 3, 1, 2 };

    /// <summary><c>input + layer_scale · block(input)</c>.</summary>
    public static string Block(OnnxGraphBuilder g, ConvNeXtBlock block, string input, string path, int height, int width)
    {
        string branch = TorchModuleEmitter.Emit(g, block.Block, input, $"{path}.block", height, width);
        string scaled = g.Node("Mul", new[] { branch, g.Initializer($"{path}.layer_scale", block.LayerScale) }, $"{path}.scaled");
        return g.Node("Add", new[] { scaled, input }, $"{path}.add");
    }

    /// <summary>A layer norm over the channels of an N×C×H×W map at each position.</summary>
    public static string LayerNorm2d(OnnxGraphBuilder g, LayerNorm2d norm, string input, string path)
    {
        string x = Permute(g, ToChannelsLast, input, $"{path}/channels_last");
        x = LayerNorm(g, x, 1, norm.Weight, norm.Bias, norm.Eps, path);
        return Permute(g, ToChannelsFirst, x, $"{path}/channels_first");
    }

    /// <summary>TorchSharp's LayerNorm: normalises over its last <c>normalized_shape.Length</c> axes.</summary>
    public static string LayerNorm(OnnxGraphBuilder g, LayerNorm norm, string input, string path) =>
        LayerNorm(g, input, norm.normalized_shape.Length, norm.weight, norm.bias, norm.eps, path);

    /// <summary><c>x Wᵀ + b</c> over the last axis.</summary>
    public static string Linear(OnnxGraphBuilder g, Linear linear, string input, string path)
    {
        using var scope = NewDisposeScope();
        string x = g.Node("MatMul", new[] { input, g.Initializer($"{path}.weight_t", linear.weight!.t()) }, $"{path}/matmul");
        return linear.bias is { } bias ? g.Node("Add", new[] { x, g.Initializer($"{path}.bias", bias) }, path) : x;
    }

    /// <summary><c>x.permute(dims)</c>.</summary>
    public static string Permute(OnnxGraphBuilder g, IEnumerable<long> dims, string input, string path) =>
        g.Node("Transpose", new[] { input }, path, Ints("perm", dims));

    /// <summary>Normalises over the last <paramref name="axes"/> axes: <c>(x − mean) / √(var + eps) · weight + bias</c>, biased variance.</summary>
    private static string LayerNorm(OnnxGraphBuilder g, string x, int axes, Tensor? weight, Tensor? bias, double eps, string path)
    {
        if (g.Opset >= 17 && weight is not null)
        {
            var inputs = new List<string> { x, g.Initializer($"{path}.weight", weight) };
            if (bias is not null) inputs.Add(g.Initializer($"{path}.bias", bias));
            return g.Node("LayerNormalization", inputs, path, Int("axis", -axes), Float("epsilon", (float)eps));
        }
        var reduced = Ints("axes", Enumerable.Range(-axes, axes).Select(a => (long)a));
        string mean = g.Node("ReduceMean", new[] { x }, $"{path}/mean", reduced, Int("keepdims", 1));
        string centred = g.Node("Sub", new[] { x, mean }, $"{path}/centred");
        string variance = g.Node("ReduceMean", new[] { g.Node("Mul", new[] { centred, centred }, $"{path}/squared") }, $"{path}/variance", reduced, Int("keepdims", 1));
        string std = g.Node("Sqrt", new[] { g.Node("Add", new[] { variance, g.Scalar($"{path}.eps", (float)eps) }, $"{path}/variance_eps") }, $"{path}/std");
        string y = g.Node("Div", new[] { centred, std }, $"{path}/normalised");
        if (weight is not null) y = g.Node("Mul", new[] { y, g.Initializer($"{path}.weight", weight) }, $"{path}/scaled");
        if (bias is not null) y = g.Node("Add", new[] { y, g.Initializer($"{path}.bias", bias) }, path);
        return y;
    }
}
