using TransferLearning.Augmentation;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

[Collection(TensorLifetimeCollection.Name)]
public sealed class AugmentationTensorLifetimeTests
{
    [Fact]
    public void Applying_the_pipeline_a_thousand_times_leaves_no_tensor_alive()
    {
        using var batch = rand(new long[] { 2, 3, 32, 32 }).mul(255);
        var pipeline = new AugmentationPipeline(SamplingTests.KerasRecipe().Steps.Concat(new IAugmentation[]
        {
            new RandomChannelShift(10), new RandomBrightness(0.8, 1.2), new RandomContrast(0.8, 1.2),
            new RandomSaturation(0.5, 1.5), new GaussianNoise(2), new RandomErasing(probability: 1), new CenterCrop(28, 28), new SamplewiseCenter(),
            new SamplewiseStdNormalization(), new Rescale(0.5), new InvertColours(),
        }));
        var random = new Random(3);
        using (pipeline.Apply(batch, random)) { } // warm-up: lazily created tensors
        // Tensors other tests left to the garbage collector would be finalised during the loop and lower the count:
        // flush them first. (No collection afterwards: that would hide a leak of ours.)
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = Tensor.TotalCount;
        for (int i = 0; i < 1000; i++)
        {
            using var output = pipeline.Apply(batch, random);
        }
        Assert.Equal(before, Tensor.TotalCount);
    }
}
