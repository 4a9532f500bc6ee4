using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TransferLearning.Backbones.Onnx;

/// <summary>
/// A node whose every input may be either a constant or a value computed at run time (shape arithmetic, indexing,
/// layout ops, element-wise ops): constant inputs are kept as <c>input{i}</c> — a trainable parameter when they are a
/// floating-point weight of the file (<see cref="OnnxNodeContext.IsWeight"/>) and the op trains such inputs, else a
/// fixed buffer — and <see cref="Compute"/> receives all inputs in ONNX order (<c>null</c> for omitted optional ones).
/// </summary>
internal abstract class OnnxValueNode : OnnxNode
{
    private readonly int[] _slots;

    /// <param name="context">The node.</param>
    /// <param name="trainsWeight">Whether a weight at input index i becomes a parameter; default: every weight does.</param>
    protected OnnxValueNode(OnnxNodeContext context, Func<int, bool>? trainsWeight = null)
        : base(context, RuntimeIndices(context, Enumerable.Range(0, context.InputCount).ToArray()))
    {
        _slots = new int[context.InputCount];
        int next = 0;
        for (int i = 0; i < context.InputCount; i++)
        {
            if (!context.HasInput(i)) { _slots[i] = Absent; continue; }
            var c = context.Constant(i);
            if (c is null) { _slots[i] = next++; continue; }
            if (context.IsWeight(i) && (trainsWeight?.Invoke(i) ?? true))
            {
                register_parameter($"input{i}", new Parameter(c.detach().clone()));
                _slots[i] = Weight;
            }
            else
            {
                register_buffer($"input{i}", c.detach().clone());
                _slots[i] = Fixed;
            }
        }
    }

    private const int Absent = -1, Fixed = -2, Weight = -3;

    /// <summary>Computes the node from all its inputs in ONNX order; <c>null</c> marks an omitted optional input.</summary>
    protected abstract Tensor[] Compute(Tensor?[] inputs);

    public sealed override Tensor[] Run(Tensor[] inputs)
    {
        var all = new Tensor?[_slots.Length];
        for (int i = 0; i < _slots.Length; i++)
            all[i] = _slots[i] switch
            {
                Absent => null,
                Fixed => Buffer($"input{i}"),
                Weight => Param($"input{i}"),
                int k => inputs[k],
            };
        return Compute(all);
    }

    /// <summary>Whether input <paramref name="index"/> is present.</summary>
    protected bool Has(int index) => index < _slots.Length && _slots[index] != Absent;

    /// <summary>Reads a (small) integer tensor, constant or computed, as managed values.</summary>
    protected static long[] Longs(Tensor t)
    {
        using var asLong = t.to_type(ScalarType.Int64).cpu();
        using var contiguous = asLong.contiguous();
        return contiguous.data<long>().ToArray();
    }

    /// <summary>An axis counted from the end when negative, checked against <paramref name="rank"/>.</summary>
    protected long Axis(long axis, long rank)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new InvalidOperationException($"ONNX node '{NodeName}' ({OpType}): axis {axis} is out of range for a rank-{rank} input.");
        return a;
    }

    /// <summary>The exception for a run-time input the op cannot handle, naming the node and the shapes.</summary>
    protected InvalidOperationException Failure(string message) => new($"ONNX node '{NodeName}' ({OpType}): {message}");
}
