using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

/// <summary>Invalid arguments and batches throw at construction or call, quoting the bad value.</summary>
public sealed class ValidationTests
{
    public static IEnumerable<object[]> BadArguments() => new[]
    {
        new object[] { (Action)(() => _ = new RandomRotation(-5)), "-5" },
        new object[] { (Action)(() => _ = new RandomRotation(10, 5)), "10" },
        new object[] { (Action)(() => _ = new RandomRotation(double.NaN)), "NaN" },
        new object[] { (Action)(() => _ = new RandomZoom(0.0, 1.2)), "0" },
        new object[] { (Action)(() => _ = new RandomZoom(-0.5, 1.2)), "-0.5" },
        new object[] { (Action)(() => _ = new RandomZoom(1.5)), "1.5" },
        new object[] { (Action)(() => _ = new RandomShift(-0.1, 0.1)), "-0.1" },
        new object[] { (Action)(() => _ = new RandomShift(0.1, 2.5)), "2.5" },
        new object[] { (Action)(() => _ = new RandomShear(-3)), "-3" },
        new object[] { (Action)(() => _ = new RandomFlip(FlipDirection.Horizontal, 1.5)), "1.5" },
        new object[] { (Action)(() => _ = new RandomBrightness(-0.2, 1)), "-0.2" },
        new object[] { (Action)(() => _ = new RandomChannelShift(-7)), "-7" },
        new object[] { (Action)(() => _ = new GaussianNoise(-1)), "-1" },
        new object[] { (Action)(() => _ = new RandomErasing(probability: 1.5)), "1.5" },
        new object[] { (Action)(() => _ = new RandomErasing(minimumArea: 0.5, maximumArea: 0.2)), "0.5" },
        new object[] { (Action)(() => _ = new RandomErasing(minimumArea: 0, maximumArea: 0.2)), "[0, 0.2]" },
        new object[] { (Action)(() => _ = new RandomErasing(minimumAspectRatio: -1)), "-1" },
        new object[] { (Action)(() => _ = new RandomErasing(fill: new float[] { 1, 2 })), "[1, 2]" },
        new object[] { (Action)(() => _ = new CenterCrop(0, 5)), "0" },
        new object[] { (Action)(() => _ = new RandomRotation(5, new Resampling(FillMode: (FillMode)42))), "42" },
        new object[] { (Action)(() => new KerasImageDataGenerator { FillMode = "mirror" }.ToPipeline()), "mirror" },
        new object[] { (Action)(() => new KerasImageDataGenerator { ZoomRange = 1.2 }.ToPipeline()), "1.2" },
        new object[] { (Action)(() => new KerasImageDataGenerator { ZoomRangeBounds = (0, 2) }.ToPipeline()), "0" },
        new object[] { (Action)(() => new KerasImageDataGenerator { RotationRange = -90 }.ToPipeline()), "-90" },
        new object[] { (Action)(() => new KerasImageDataGenerator { InterpolationOrder = 3 }.ToPipeline()), "3" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Invalid_arguments_throw_quoting_the_value(Action create, string quoted)
    {
        var e = Assert.ThrowsAny<ArgumentException>(create);
        Assert.Contains(quoted, e.Message);
    }

    [Fact]
    public void Wrong_rank_dtype_or_channel_count_throws_at_call()
    {
        using var scope = NewDisposeScope();
        var pipeline = SamplingTests.KerasRecipe();
        var random = new Random(1);
        var rank3 = Assert.Throws<ArgumentException>(() => pipeline.Apply(zeros(3, 8, 8), random));
        Assert.Contains("rank 3", rank3.Message);
        var bytes = Assert.Throws<ArgumentException>(() => pipeline.Apply(zeros(new long[] { 1, 3, 8, 8 }, ScalarType.Byte), random));
        Assert.Contains("Byte", bytes.Message);
        var channels = Assert.Throws<ArgumentException>(() => new RandomRotation(5).Apply(zeros(1, 4, 8, 8), random));
        Assert.Contains("4 channels", channels.Message);
        var grey = Assert.Throws<ArgumentException>(() => new RandomSaturation(0.5, 1).Apply(zeros(1, 1, 8, 8), random));
        Assert.Contains("1 channels", grey.Message);
        var count = Assert.Throws<ArgumentException>(() => new RandomRotation(5).Apply(zeros(2, 3, 8, 8), new[] { 1.0 }));
        Assert.Contains("got 1", count.Message);
    }
}
