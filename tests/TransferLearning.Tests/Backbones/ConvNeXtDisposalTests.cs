using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// Building, running (in training mode, with stochastic depth, and in inference mode) and disposing ConvNeXt backbones leaves
/// no live tensor behind: the factory builds inside <c>ModuleTensors.Build</c> and every forward runs in a dispose scope.
/// </summary>
[Collection(TensorLifetimeCollection.Name)]
public sealed class ConvNeXtDisposalTests
{
    private static void Round()
    {
        using var backbone = ConvNeXtTestModels.Backbone(stochasticDepth: 0.5);
        using var raw = rand(2, 3, 32, 32);
        using var input = raw * 255;
        backbone.train();
        using (var trained = backbone.forward(input)) Assert.Equal(new long[] { 2, 128 }, trained.shape);
        backbone.eval();
        using var _ = no_grad();
        using var map = backbone.ExtractFeatureMap(input);
        using var pooled = backbone.Pool(map);
    }

    [Fact]
    public void ConvNeXt_backbones_created_run_and_disposed_leave_no_live_tensor()
    {
        Round(); // warm-up
        long before = ResidentMemory.SettledLiveTensorsOnThisThread();
        for (int i = 0; i < 3; i++) Round();
        Assert.Equal(before, ResidentMemory.SettledLiveTensorsOnThisThread());
    }
}
