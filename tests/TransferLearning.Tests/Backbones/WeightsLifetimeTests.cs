using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

[Collection(TensorLifetimeCollection.Name)]
public sealed class WeightsLifetimeTests
{
    /// <summary>Live tensors once wrappers dropped by earlier tests have been finalised (they would lower the count mid-test).</summary>
    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.TotalCount;
    }

    [Fact]
    public void Reading_and_loading_weights_leaves_no_tensor_behind()
    {
        using var vgg = Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.None, Preprocessing = Vgg16Preprocessing.Identity });
        vgg.LoadWeights(Vgg16ParityTests.Checkpoint);
        long before = Settled();
        using (WeightsFile.Read(Vgg16ParityTests.Checkpoint)) { }
        vgg.LoadWeights(Vgg16ParityTests.Checkpoint);
        Assert.Equal(before, Tensor.TotalCount);
    }

    [Fact]
    public void A_refused_file_leaves_no_tensor_behind()
    {
        using var tiny = PretrainedBackboneTests.Tiny();
        long before = Settled();
        Assert.Throws<WeightsMismatchException>(() => tiny.LoadWeights(Vgg16ParityTests.Checkpoint));
        Assert.Equal(before, Tensor.TotalCount);
    }

    [Fact]
    public void A_vgg16_forward_pass_and_prediction_leave_no_tensor_behind()
    {
        using var vgg = Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.None, IncludeTop = true });
        vgg.eval();
        using var images = rand(1, 3, 32, 32) * 255;
        using var _ = no_grad();
        using (vgg.forward(images)) { }
        long before = Settled();
        using (vgg.forward(images)) { }
        using (vgg.PredictLogits(images)) { }
        Assert.Equal(before, Tensor.TotalCount);
    }
}
