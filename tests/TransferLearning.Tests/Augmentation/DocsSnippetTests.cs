using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

/// <summary>The C# snippets of docs/augmentation.md, verbatim, so they compile and run.</summary>
public sealed class DocsSnippetTests
{
    [Fact]
    public void Keras_port_snippet()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 2, 3, 32, 32 }).mul(255);
        var random = new Random(1);
        var augment = AugmentationPipeline.FromKeras(new KerasImageDataGenerator
        {
            SamplewiseCenter = true, RotationRange = 180, ZoomRange = 0.1,
            WidthShiftRange = 0.1, HeightShiftRange = 0.1, HorizontalFlip = true, VerticalFlip = true,
        });
        using var augmented = augment.Apply(batch, random); // a new tensor; batch is not modified
        Assert.Equal(batch.shape, augmented.shape);
    }

    [Fact]
    public void Sample_then_apply_snippet_transforms_images_and_masks_identically()
    {
        using var scope = NewDisposeScope();
        var imageBatch = rand(new long[] { 2, 3, 64, 64 }).mul(255);
        var maskBatch = imageBatch.narrow(1, 0, 1).gt(128).to(ScalarType.Float32).mul(255);
        var random = new Random(2);
        var rotation = new RandomRotation(30);
        double[] angles = rotation.Sample(random, count: 2, height: 64, width: 64);
        using var images = rotation.Apply(imageBatch, angles);
        using var masks = rotation.Apply(maskBatch, angles);
        // Same angles, same map: the red channel rotated alone equals the red channel of the rotated images.
        Assert.True(TensorAssert.Same(images.narrow(1, 0, 1), rotation.Apply(imageBatch.narrow(1, 0, 1), angles)));
        Assert.Equal(new long[] { 2, 1, 64, 64 }, masks.shape);
    }
}
