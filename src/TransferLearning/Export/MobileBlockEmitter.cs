using TransferLearning.Backbones;

namespace TransferLearning.Export;

/// <summary>
/// Writes the blocks EfficientNet and MobileNetV3 share, in inference semantics: the squeeze-excitation as
/// <c>GlobalAveragePool</c>, <c>fc1</c> (1×1 Conv), δ, <c>fc2</c> (1×1 Conv), σ and <c>Mul</c> with the input; EfficientNet's
/// <c>MBConv</c> and MobileNetV3's inverted residual as their branch (<see cref="ConvNormActivation"/> layers are plain
/// Sequentials of Conv, BatchNorm and activation) plus an <c>Add</c> of the input where the block has a residual (stochastic
/// depth is the identity in inference).
/// </summary>
internal static class MobileBlockEmitter
{
    /// <summary><c>x · σ(fc2(δ(fc1(mean over H×W of x))))</c>; returns the scaled map.</summary>
    public static string SqueezeExcitation(OnnxGraphBuilder g, SqueezeExcitation se, string input, string path)
    {
        string x = g.Node("GlobalAveragePool", new[] { input }, $"{path}.avgpool");
        x = TorchModuleEmitter.Emit(g, se.Fc1, x, $"{path}.fc1", 1, 1);
        x = TorchModuleEmitter.Emit(g, se.Activation, x, $"{path}.activation", 1, 1);
        x = TorchModuleEmitter.Emit(g, se.Fc2, x, $"{path}.fc2", 1, 1);
        x = TorchModuleEmitter.Emit(g, se.ScaleActivation, x, $"{path}.scale_activation", 1, 1);
        return g.Node("Mul", new[] { input, x }, $"{path}.out");
    }

    /// <summary>EfficientNet's <c>MBConv</c>: the branch, plus the input when the block has a residual.</summary>
    public static string MBConv(OnnxGraphBuilder g, EfficientNetMBConv block, string input, string path, int height, int width) =>
        Residual(g, block.Block, block.UseResidual, input, path, height, width);

    /// <summary>MobileNetV3's inverted residual: the branch, plus the input when the block has a residual.</summary>
    public static string InvertedResidual(OnnxGraphBuilder g, MobileNetV3InvertedResidual block, string input, string path, int height, int width) =>
        Residual(g, block.Block, block.UseResidual, input, path, height, width);

    private static string Residual(OnnxGraphBuilder g, TorchSharp.Modules.Sequential branch, bool useResidual, string input, string path, int height, int width)
    {
        string x = TorchModuleEmitter.Emit(g, branch, input, $"{path}.block", height, width);
        return useResidual ? g.Node("Add", new[] { x, input }, $"{path}.add") : x;
    }
}
