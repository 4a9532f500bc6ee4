using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx.Ops;

/// <summary>
/// ONNX Concat along <c>axis</c> (negative counts from the end), of float tensors or of integer shapes; constant inputs
/// are kept as buffers, or as trainable parameters when they are floating-point weights of the file.
/// </summary>
internal sealed class OnnxConcat : OnnxNode
{
    private readonly long _axis;
    private readonly bool[] _constant;

    public OnnxConcat(OnnxNodeContext context) : base(context, RuntimeIndices(context, Enumerable.Range(0, context.InputCount).ToArray()))
    {
        context.AllowOnly("axis");
        if (!context.Has("axis")) throw context.Error("axis", "axis is required.");
        _axis = context.Int("axis", 0);
        _constant = new bool[context.InputCount];
        for (int i = 0; i < context.InputCount; i++)
        {
            if (!context.HasInput(i)) throw context.Error("inputs", $"input {i} is empty.");
            var c = context.Constant(i);
            if (c is null) continue;
            if (context.IsWeight(i)) register_parameter($"constant{i}", new TorchSharp.Modules.Parameter(c.detach().clone()));
            else register_buffer($"constant{i}", c.clone());
            _constant[i] = true;
        }
    }

    private Tensor Constant(string name) =>
        named_parameters(false).FirstOrDefault(p => p.name == name).parameter as Tensor ?? Buffer(name);

    public override Tensor[] Run(Tensor[] inputs)
    {
        int next = 0;
        var parts = _constant.Select((c, i) => c ? Constant($"constant{i}") : inputs[next++]).ToArray();
        return new[] { cat(parts, _axis) };
    }
}
