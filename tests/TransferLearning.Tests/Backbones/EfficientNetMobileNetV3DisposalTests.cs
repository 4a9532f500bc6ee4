using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

/// <summary>
/// Creating, running (in training mode, so stochastic depth draws its masks) and disposing EfficientNet and MobileNetV3
/// backbones leaves no live tensor behind on the test thread (<see cref="ResidentMemory.SettledLiveTensorsOnThisThread"/>).
/// </summary>
[Collection(TensorLifetimeCollection.Name)]
public sealed class EfficientNetMobileNetV3DisposalTests
{
    public static TheoryData<string> Models => new() { "efficientnet_b0", "mobilenet_v3_small" };

    private static PretrainedBackbone Create(string name) => name == "efficientnet_b0"
        ? EfficientNet.Create(new EfficientNetOptions { Weights = TorchVisionWeights.None })
        : MobileNetV3.Create(new MobileNetV3Options { Variant = MobileNetV3Variant.Small, Weights = TorchVisionWeights.None });

    private static void Round(string name)
    {
        using var backbone = Create(name);
        backbone.train();
        using var scope = NewDisposeScope(); // the test's own temporaries
        var output = backbone.forward(rand(2, 3, 32, 32) * 255);
        output.mean().backward();
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Backbones_created_trained_one_step_and_disposed_leave_no_tensor(string name)
    {
        Round(name); // warm-up: lazily created natives
        long before = ResidentMemory.SettledLiveTensorsOnThisThread();
        for (int i = 0; i < 3; i++) Round(name);
        Assert.Equal(before, ResidentMemory.SettledLiveTensorsOnThisThread());
    }
}
