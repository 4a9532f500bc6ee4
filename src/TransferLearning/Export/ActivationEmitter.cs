using TorchSharp.Modules;
using static TransferLearning.Export.OnnxGraphBuilder;

namespace TransferLearning.Export;

/// <summary>
/// Writes element-wise activations in ONNX ops of the graph's opset: Sigmoid; SiLU as <c>x · Sigmoid(x)</c> (ai.onnx has no
/// SiLU or Swish up to opset 17); PyTorch's hard sigmoid <c>relu6(x + 3) / 6</c> as <c>HardSigmoid</c> (alpha 1/6, beta 0.5);
/// hard swish as <c>HardSwish</c> from opset 14, else <c>x · HardSigmoid(x)</c>; the exact GELU as <c>x · 0.5 · (1 + erf(x / √2))</c>
/// (ai.onnx's Gelu needs opset 20).
/// </summary>
internal static class ActivationEmitter
{
    /// <summary>PyTorch's hard sigmoid as ONNX's <c>max(0, min(1, alpha · x + beta))</c>.</summary>
    private const float HardSigmoidAlpha = 1f / 6f;

    private const float HardSigmoidBeta = 0.5f;

    /// <summary>Emits <paramref name="activation"/> applied to <paramref name="input"/> when it is one of this class's activations; returns <c>false</c> otherwise.</summary>
    public static bool TryEmit(OnnxGraphBuilder g, TorchSharp.torch.nn.Module activation, string input, string path, out string output)
    {
        switch (activation)
        {
            case Sigmoid:
                output = g.Node("Sigmoid", new[] { input }, path);
                return true;
            case SiLU:
                output = g.Node("Mul", new[] { input, g.Node("Sigmoid", new[] { input }, $"{path}/sigmoid") }, path);
                return true;
            case Hardsigmoid:
                output = HardSigmoid(g, input, path);
                return true;
            case Hardswish:
                output = g.Opset >= 14
                    ? g.Node("HardSwish", new[] { input }, path)
                    : g.Node("Mul", new[] { input, HardSigmoid(g, input, $"{path}/hard_sigmoid") }, path);
                return true;
            case GELU gelu:
                if (gelu.approximate != GELU.Approximate.none)
                    throw new OnnxExportException($"Module '{path}' (GELU) uses the {gelu.approximate} approximation; only the exact (erf) GELU is exported.");
                output = Gelu(g, input, path);
                return true;
            default:
                output = "";
                return false;
        }
    }

    private static string HardSigmoid(OnnxGraphBuilder g, string input, string path) =>
        g.Node("HardSigmoid", new[] { input }, path, Float("alpha", HardSigmoidAlpha), Float("beta", HardSigmoidBeta));

    /// <summary><c>x · 0.5 · (1 + erf(x / √2))</c>, PyTorch's <c>gelu(x, approximate="none")</c>.</summary>
    private static string Gelu(OnnxGraphBuilder g, string x, string path)
    {
        string erf = g.Node("Erf", new[] { g.Node("Div", new[] { x, g.Scalar($"{path}.sqrt2", MathF.Sqrt(2f)) }, $"{path}/scaled") }, $"{path}/erf");
        string gate = g.Node("Add", new[] { erf, g.Scalar($"{path}.one", 1f) }, $"{path}/gate");
        return g.Node("Mul", new[] { g.Node("Mul", new[] { x, gate }, $"{path}/gated"), g.Scalar($"{path}.half", 0.5f) }, path);
    }
}
