using TransferLearning.Augmentation;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

public sealed class AugmentationPipelineTests
{
    [Fact]
    public void Consecutive_geometric_steps_resample_once_with_the_product_of_their_matrices()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 3, 3, 24, 32 }).mul(255);
        var rotation = new RandomRotation(40);
        var zoom = new RandomZoom(0.2);
        var flip = new RandomFlip(FlipDirection.Horizontal);
        var pipeline = new AugmentationPipeline(rotation, zoom, flip);

        var fused = pipeline.Apply(batch, new Random(5));

        // Same draws, in the pipeline's order (transform by transform), multiplied by hand.
        var random = new Random(5);
        var angles = rotation.Sample(random, 3, 24, 32);
        var factors = zoom.Sample(random, 3, 24, 32);
        var flips = flip.Sample(random, 3, 24, 32);
        var matrices = Enumerable.Range(0, 3).Select(i => RandomRotation.Matrix(angles[i], 24, 32)
            .Then(RandomZoom.Matrix(factors[i], 24, 32))
            .Then(RandomFlip.Matrix(FlipDirection.Horizontal, flips[i], 24, 32))).ToArray();
        var expected = AffineResampler.Resample(batch, matrices, 24, 32, Resampling.Default);
        Assert.True(TensorAssert.Same(fused, expected));
    }

    [Fact]
    public void Geometric_steps_with_different_resampling_are_not_fused()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 2, 1, 16, 16 }).mul(255);
        var a = new RandomRotation(30, 30);
        var b = new RandomRotation(30, 30, new Resampling(FillMode: FillMode.Constant, FillValue: 7));
        var output = new AugmentationPipeline(a, b).Apply(batch, new Random(1));
        var stepwise = b.Apply(a.Apply(batch, new[] { 30.0, 30.0 }), new[] { 30.0, 30.0 });
        Assert.True(TensorAssert.Same(output, stepwise));
    }

    [Fact]
    public void Flips_are_exact_pixel_mirrors()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 2, 3, 9, 14 }).mul(255);
        var h = new RandomFlip(FlipDirection.Horizontal).Apply(batch, new[] { true, false });
        Assert.True(TensorAssert.Same(h[0], batch[0].flip(2)));
        Assert.True(TensorAssert.Same(h[1], batch[1]));
        var v = new RandomFlip(FlipDirection.Vertical).Apply(batch, new[] { true, true });
        Assert.True(TensorAssert.Same(v, batch.flip(2)));
    }

    [Fact]
    public void Center_crop_is_an_exact_slice_and_fuses_with_flips()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 2, 3, 20, 30 }).mul(255);
        var crop = new CenterCrop(10, 16);
        var cropped = crop.Apply(batch, new Random(1));
        Assert.True(TensorAssert.Same(cropped, batch.narrow(2, 5, 10).narrow(3, 7, 16)));

        var flippedThenCropped = new AugmentationPipeline(new RandomFlip(FlipDirection.Horizontal, 1), crop).Apply(batch, new Random(1));
        Assert.True(TensorAssert.Same(flippedThenCropped, batch.flip(3).narrow(2, 5, 10).narrow(3, 7, 16)));
    }

    [Fact]
    public void Random_resized_crop_outputs_the_requested_size()
    {
        using var scope = NewDisposeScope();
        var output = new RandomResizedCrop(16, 24).Apply(rand(new long[] { 3, 3, 40, 48 }).mul(255), new Random(3));
        Assert.Equal(new long[] { 3, 3, 16, 24 }, output.shape);
    }

    [Fact]
    public void The_managed_kernel_reads_views_with_a_storage_offset_and_strides()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 3, 3, 12, 10 }).mul(255);
        var matrices = new[] { RandomRotation.Matrix(17, 12, 10) };
        var whole = AffineResampler.Resample(batch, new[] { matrices[0], matrices[0], matrices[0] }, 12, 10, Resampling.Default, ResamplerEngine.Managed);
        var offsetView = batch.narrow(0, 2, 1); // contiguous, storage offset 2 images
        Assert.True(TensorAssert.Same(AffineResampler.Resample(offsetView, matrices, 12, 10, Resampling.Default, ResamplerEngine.Managed), whole.narrow(0, 2, 1)));
        var strided = batch.permute(0, 1, 3, 2).permute(0, 1, 3, 2).narrow(1, 1, 1); // non-contiguous channel slice
        var single = AffineResampler.Resample(strided, new[] { matrices[0], matrices[0], matrices[0] }, 12, 10, Resampling.Default, ResamplerEngine.Managed);
        Assert.True(TensorAssert.Same(single, whole.narrow(1, 1, 1)));
    }

    public static IEnumerable<object[]> Modes() =>
        from fill in Enum.GetValues<FillMode>()
        from interpolation in Enum.GetValues<AffineInterpolation>()
        select new object[] { fill, interpolation };

    [Theory]
    [MemberData(nameof(Modes))]
    public void Managed_kernel_and_grid_sample_agree_on_random_maps(FillMode fill, AffineInterpolation interpolation)
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 4, 3, 21, 34 }).mul(255);
        var random = new Random(17);
        var matrices = Enumerable.Range(0, 4).Select(_ =>
            RandomRotation.Matrix(random.NextDouble() * 360, 21, 34)
                .Then(RandomShear.Matrix(random.NextDouble() * 40 - 20, 21, 34))
                .Then(RandomZoom.Matrix(new ZoomFactors(0.5 + random.NextDouble(), 0.5 + random.NextDouble()), 21, 34))
                .Then(RandomShift.Matrix(new ShiftOffset(random.NextDouble() * 20 - 10, random.NextDouble() * 30 - 15)))).ToArray();
        var resampling = new Resampling(interpolation, fill, 33);
        var managed = AffineResampler.Resample(batch, matrices, 17, 29, resampling, ResamplerEngine.Managed);
        var grid = AffineResampler.Resample(batch, matrices, 17, 29, resampling, ResamplerEngine.GridSample);
        // float32 grid vs float64 coordinates: a nearest-neighbour tie or a point on the border may differ, rarely.
        var differing = managed.sub(grid).abs().gt(0.05).sum().item<long>();
        Assert.True(differing <= managed.numel() / 500, $"{differing} of {managed.numel()} values differ");
    }

    [Fact]
    public void A_users_own_augmentation_composes_and_the_input_is_never_modified()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 2, 3, 16, 16 }).mul(255);
        var before = batch.clone();
        var pipeline = new AugmentationPipeline(new RandomRotation(20), new InvertColours(), new SamplewiseCenter());
        var output = pipeline.Apply(batch, new Random(2));
        Assert.True(TensorAssert.Same(batch, before));
        Assert.NotEqual(batch.Handle, output.Handle);
        Assert.True(output.mean(new long[] { 1, 2, 3 }).abs().max().item<float>() < 1e-3);
    }

    [Fact]
    public void An_empty_pipeline_returns_a_fresh_copy()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 1, 3, 8, 8 });
        var output = new AugmentationPipeline().Apply(batch, new Random(1));
        Assert.NotEqual(batch.Handle, output.Handle);
        Assert.True(TensorAssert.Same(output, batch));
    }

    [Fact]
    public void An_augmentation_that_returns_its_input_is_reported()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<InvalidOperationException>(() => new AugmentationPipeline(new ReturnsInput()).Apply(zeros(1, 3, 4, 4), new Random(1)));
        Assert.Contains(nameof(ReturnsInput), e.Message);
    }

    [Fact]
    public void In_place_steps_never_touch_the_input_even_after_a_step_that_returns_a_view()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 2, 3, 8, 8 }).mul(255);
        var before = batch.clone();
        var output = new AugmentationPipeline(new ReturnsView(), new SamplewiseCenter(), new Rescale(2)).Apply(batch, new Random(1));
        Assert.True(TensorAssert.Same(batch, before));
        Assert.True(output.mean(new long[] { 1, 2, 3 }).abs().max().item<float>() < 1e-3);
        var geometricFirst = new AugmentationPipeline(new RandomRotation(10), new SamplewiseCenter(), new SamplewiseStdNormalization()).Apply(batch, new Random(1));
        Assert.True(TensorAssert.Same(batch, before));
        Assert.True(geometricFirst.std(new long[] { 1, 2, 3 }, unbiased: false).sub(1).abs().max().item<float>() < 1e-4);
    }

    [Fact]
    public void The_in_place_managed_centring_matches_the_tensor_operation()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 3, 3, 37, 29 }).mul(255); // sizes not a multiple of the vector width
        var rotation = new RandomRotation(25);
        var inPipeline = new AugmentationPipeline(rotation, new SamplewiseCenter()).Apply(batch, new Random(4));
        var separately = new SamplewiseCenter().Apply(rotation.Apply(batch, new Random(4)));
        Assert.True(inPipeline.sub(separately).abs().max().item<float>() < 1e-3);
    }

    [Fact]
    public void A_batch_handed_over_by_its_owner_is_centred_in_place_and_otherwise_handled_as_by_apply()
    {
        using var scope = NewDisposeScope();
        var batch = rand(new long[] { 2, 3, 9, 11 }).mul(255);
        var expected = new SamplewiseCenter().Apply(batch);
        var pipeline = new AugmentationPipeline(new SamplewiseCenter(), new Rescale(0.5));

        var output = pipeline.ApplyToOwned(batch, new Random(1));

        Assert.Same(batch, output); // no copy: the loader's freshly decoded batch is changed where it lies
        Assert.True(output.sub(expected.mul(0.5)).abs().max().item<float>() < 1e-3);

        // A user's step still gets its own input and must return a new tensor; in-place steps after it work on that.
        var owned = rand(new long[] { 2, 3, 9, 11 }).mul(255);
        var before = owned.clone();
        var mixed = new AugmentationPipeline(new InvertColours(), new SamplewiseCenter()).ApplyToOwned(owned, new Random(1));
        Assert.NotSame(owned, mixed);
        Assert.True(TensorAssert.Same(owned, before));
        Assert.True(mixed.mean(new long[] { 1, 2, 3 }).abs().max().item<float>() < 1e-3);
        Assert.Throws<InvalidOperationException>(() => new AugmentationPipeline(new ReturnsInput()).ApplyToOwned(rand(1, 3, 4, 4), new Random(1)));
    }

    private sealed class ReturnsView : IAugmentation
    {
        public bool IsRandom => false;
        public Tensor Apply(Tensor batch, Random random) => batch.view(batch.shape);
    }

    private sealed class ReturnsInput : IAugmentation
    {
        public bool IsRandom => false;
        public Tensor Apply(Tensor batch, Random random) => batch;
    }
}
