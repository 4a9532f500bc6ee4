using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX BatchNormalization as a real TorchSharp <see cref="BatchNorm2d"/> (child module <c>bn</c>), so that frozen
/// groups keep it in inference mode: scale and bias become trainable parameters, mean and variance running-statistics
/// buffers. ONNX momentum m (running = running·m + batch·(1−m)) becomes PyTorch momentum 1−m.
/// </summary>
internal sealed class OnnxBatchNormalization : OnnxNode
{
    private readonly BatchNorm2d bn;

    public OnnxBatchNormalization(OnnxNodeContext context) : base(context, new[] { 0 })
    {
        context.AllowOnly("epsilon", "momentum", "spatial", "training_mode");
        if (context.Int("spatial", 1) != 1) throw context.Error("spatial", "spatial = 0 (per-activation statistics) is not supported; only spatial = 1.");
        if (context.Int("training_mode", 0) != 0) throw context.Error("training_mode", "training_mode = 1 graphs are not supported; export the model for inference.");
        if (context.Node.Output.Count > 1 && context.Node.Output.Skip(1).Any(o => o.Length > 0))
            throw context.Error("outputs", "the optional running-mean/variance outputs are not supported.");
        var scale = context.RequireConstant(1, "scale");
        var bias = context.RequireConstant(2, "B");
        var mean = context.RequireConstant(3, "input_mean");
        var variance = context.RequireConstant(4, "input_var");
        long channels = scale.shape.Length == 1 ? scale.shape[0] : -1;
        foreach (var (t, role) in new[] { (scale, "scale"), (bias, "B"), (mean, "input_mean"), (variance, "input_var") })
            if (t.dim() != 1 || t.shape[0] != channels)
                throw context.Error(role, $"expected a vector of {channels} values; got shape [{string.Join(", ", t.shape)}].");
        double epsilon = context.Float("epsilon", 1e-5f);
        double momentum = context.Float("momentum", 0.9f);
        if (!(momentum >= 0 && momentum <= 1)) throw context.Error("momentum", $"momentum must be in [0, 1]; got {momentum}.");
        bn = TorchSharp.torch.nn.BatchNorm2d(channels, epsilon, 1 - momentum);
        using (no_grad())
        {
            bn.weight!.copy_(scale);
            bn.bias!.copy_(bias);
            bn.running_mean!.copy_(mean);
            bn.running_var!.copy_(variance);
        }
        register_module("bn", bn);
    }

    public override Tensor[] Run(Tensor[] inputs)
    {
        var x = inputs[0];
        if (x.dim() != 4) throw new InvalidOperationException($"ONNX node '{NodeName}' (BatchNormalization) supports N x C x H x W inputs only; got shape [{string.Join(", ", x.shape)}].");
        return new[] { bn.forward(x) };
    }
}
