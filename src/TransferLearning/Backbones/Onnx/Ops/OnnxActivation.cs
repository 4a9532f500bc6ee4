using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// Element-wise one-input ONNX ops: Relu, LeakyRelu (alpha), Sigmoid, Clip (min/max as attributes before opset 11,
/// as constant inputs from 11), Identity, Dropout (active only while the module trains, like PyTorch's; the mask
/// output is not supported), GlobalAveragePool, HardSigmoid (alpha, beta), HardSwish, Erf (GELU's building block)
/// and Sqrt.
/// </summary>
internal sealed class OnnxActivation : OnnxNode
{
    private readonly Func<Tensor, bool, Tensor> _apply;

    public OnnxActivation(OnnxNodeContext context) : base(context, new[] { 0 })
    {
        if (context.Constant(0) is not null) throw context.Error("input", $"a constant input to {context.OpType} is not supported.");
        switch (context.OpType)
        {
            case "Relu":
                context.AllowOnly();
                _apply = (x, _) => x.relu();
                break;
            case "Sigmoid":
                context.AllowOnly();
                _apply = (x, _) => x.sigmoid();
                break;
            case "HardSwish":
                context.AllowOnly();
                _apply = (x, _) => x * (x + 3).clamp(0, 6) / 6;
                break;
            case "HardSigmoid":
            {
                context.AllowOnly("alpha", "beta");
                double alpha = context.Float("alpha", 0.2f), beta = context.Float("beta", 0.5f);
                _apply = (x, _) => (x * alpha + beta).clamp(0, 1);
                break;
            }
            case "Erf":
                context.AllowOnly();
                _apply = (x, _) => x.erf();
                break;
            case "Sqrt":
                context.AllowOnly();
                _apply = (x, _) => x.sqrt();
                break;
            case "Identity":
                context.AllowOnly();
                _apply = (x, _) => x.alias();
                break;
            case "GlobalAveragePool":
                context.AllowOnly();
                _apply = (x, _) => x.mean(Enumerable.Range(2, (int)x.dim() - 2).Select(i => (long)i).ToArray(), keepdim: true);
                break;
            case "LeakyRelu":
            {
                context.AllowOnly("alpha");
                double alpha = context.Float("alpha", 0.01f);
                _apply = (x, _) => leaky_relu(x, alpha);
                break;
            }
            case "Clip":
            {
                float min, max;
                if (context.Opset < 11)
                {
                    context.AllowOnly("min", "max");
                    min = context.Float("min", float.NegativeInfinity);
                    max = context.Float("max", float.PositiveInfinity);
                }
                else
                {
                    context.AllowOnly();
                    min = context.HasInput(1) ? context.ConstantScalar(1, "min") : float.NegativeInfinity;
                    max = context.HasInput(2) ? context.ConstantScalar(2, "max") : float.PositiveInfinity;
                }
                _apply = (x, _) => x.clamp(min, max);
                break;
            }
            case "Dropout":
            {
                double ratio;
                if (context.Opset < 12)
                {
                    context.AllowOnly("ratio", "seed");
                    ratio = context.Float("ratio", 0.5f);
                }
                else
                {
                    context.AllowOnly("seed");
                    ratio = context.HasInput(1) ? context.ConstantScalar(1, "ratio") : 0.5;
                    if (context.HasInput(2) && context.ConstantScalar(2, "training_mode") != 0)
                        throw context.Error("training_mode", "training_mode = true graphs are not supported; export the model for inference.");
                }
                if (context.Node.Output.Count > 1 && context.Node.Output[1].Length > 0)
                    throw context.Error("mask", "the mask output of Dropout is not supported.");
                if (!(ratio >= 0 && ratio < 1)) throw context.Error("ratio", $"ratio must be in [0, 1); got {ratio}.");
                _apply = (x, training) => training ? dropout(x, ratio, true) : x.alias();
                break;
            }
            default:
                throw context.Error(null, "internal: not an activation.");
        }
    }

    public override Tensor[] Run(Tensor[] inputs) => new[] { _apply(inputs[0], training) };
}
