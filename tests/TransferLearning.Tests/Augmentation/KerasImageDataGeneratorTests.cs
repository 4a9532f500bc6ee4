using TransferLearning.Augmentation;

namespace TransferLearning.Tests.Augmentation;

public sealed class KerasImageDataGeneratorTests
{
    [Fact]
    public void The_recipe_maps_to_transforms_in_keras_order_with_keras_semantics()
    {
        var pipeline = AugmentationPipeline.FromKeras(new KerasImageDataGenerator
        {
            SamplewiseCenter = true, RotationRange = 180, ZoomRange = 0.1, WidthShiftRange = 0.1, HeightShiftRange = 0.1,
            HorizontalFlip = true, VerticalFlip = true, ChannelShiftRange = 20, BrightnessRange = (0.8, 1.2),
            Rescale = 1 / 255.0, ShearRange = 5, SamplewiseStdNormalization = true, FillMode = "reflect",
        });
        Assert.Collection(pipeline.Steps,
            s => Assert.Equal((-180.0, 180.0), (((RandomRotation)s).MinDegrees, ((RandomRotation)s).MaxDegrees)),
            s => Assert.Equal((0.1, 0.1, ShiftUnit.Fraction), (((RandomShift)s).HeightRange, ((RandomShift)s).WidthRange, ((RandomShift)s).Unit)),
            s => Assert.Equal(5.0, ((RandomShear)s).Degrees),
            s => Assert.Equal((0.9, 1.1, false), (((RandomZoom)s).Lower, ((RandomZoom)s).Upper, ((RandomZoom)s).KeepAspectRatio)),
            s => Assert.Equal(FlipDirection.Horizontal, ((RandomFlip)s).Direction),
            s => Assert.Equal(FlipDirection.Vertical, ((RandomFlip)s).Direction),
            s => Assert.Equal(20.0, ((RandomChannelShift)s).Range),
            s => Assert.Equal((0.8, 1.2), (((RandomBrightness)s).Lower, ((RandomBrightness)s).Upper)),
            s => Assert.Equal(1 / 255.0, ((Rescale)s).Factor),
            s => Assert.IsType<SamplewiseCenter>(s),
            s => Assert.IsType<SamplewiseStdNormalization>(s));
        Assert.Equal(FillMode.Reflect, ((RandomRotation)pipeline.Steps[0]).Resampling!.Value.FillMode);
    }

    [Fact]
    public void Shift_ranges_of_one_and_more_are_pixels_and_below_one_fractions()
    {
        var steps = new KerasImageDataGenerator { HeightShiftRange = 0.2, WidthShiftRange = 8 }.ToPipeline().Steps.Cast<RandomShift>().ToArray();
        Assert.Equal(2, steps.Length);
        Assert.Equal((0.2, 0.0, ShiftUnit.Fraction), (steps[0].HeightRange, steps[0].WidthRange, steps[0].Unit));
        Assert.Equal((0.0, 8.0, ShiftUnit.Pixels), (steps[1].HeightRange, steps[1].WidthRange, steps[1].Unit));
    }

    [Fact]
    public void Defaults_build_an_empty_pipeline_and_zoom_bounds_take_precedence()
    {
        Assert.Empty(new KerasImageDataGenerator().ToPipeline().Steps);
        var zoom = (RandomZoom)new KerasImageDataGenerator { ZoomRange = 0.3, ZoomRangeBounds = (0.5, 1.0) }.ToPipeline().Steps.Single();
        Assert.Equal((0.5, 1.0), (zoom.Lower, zoom.Upper));
    }
}
