using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// torchvision's <c>ops.StochasticDepth(p, "row")</c>: in training mode each sample's residual branch is dropped with
/// probability <see cref="Probability"/> and the kept ones are scaled by 1 / (1 − p); in inference mode (or at p = 0) the
/// branch passes unchanged. Draws from the global torch generator, as torchvision (and dropout) do. No state.
/// </summary>
internal sealed class StochasticDepth : Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    /// <param name="probability">The drop probability, 0 ≤ p ≤ 1 (1 drops every branch).</param>
    public StochasticDepth(double probability) : base("StochasticDepth")
    {
        if (!(probability >= 0 && probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(probability), $"The stochastic depth probability must be in [0, 1]; got {probability}.");
        Probability = probability;
    }

    /// <summary>The probability of dropping a sample's branch in training mode.</summary>
    public double Probability { get; }

    /// <summary>Drops whole samples of the branch (training) or passes it (inference). Returns a new tensor.</summary>
    /// <param name="input">The residual branch, N×…; not modified.</param>
    public override Tensor forward(Tensor input)
    {
        if (!training || Probability == 0) return input.alias();
        using var scope = NewDisposeScope();
        double survival = 1 - Probability;
        var shape = new long[input.dim()];
        Array.Fill(shape, 1L);
        shape[0] = input.shape[0];
        var noise = empty(shape, input.dtype, input.device).bernoulli_(survival);
        if (survival > 0) noise.div_(survival); // p = 1 drops every branch, as torchvision's stochastic_depth does
        return (input * noise).MoveToOuterDisposeScope();
    }
}
