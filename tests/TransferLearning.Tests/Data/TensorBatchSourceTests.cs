using TransferLearning.Data;
using TransferLearning.Tests.Support;
using TransferLearning.Tests.Training;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Data;

public sealed class TensorBatchSourceTests
{
    private static readonly string[] Classes = { "a", "b", "c" };

    private static (Tensor Images, Tensor Labels) Numbered(int count)
    {
        // Image i is filled with the value i, so a batch shows which samples it holds.
        var images = arange(count, dtype: ScalarType.Float32).reshape(count, 1, 1, 1).expand(count, 3, 4, 5).contiguous();
        return (images, tensor(Enumerable.Range(0, count).Select(i => (long)(i % 3)).ToArray()));
    }

    private static List<int> Order(TensorBatchSource source, int epoch)
    {
        var order = new List<int>();
        foreach (var batch in source.ReadEpoch(epoch))
        {
            using (batch)
            {
                order.AddRange(batch.Images[.., 0, 0, 0].data<float>().ToArray().Select(v => (int)v));
                var labels = batch.Labels.data<long>().ToArray();
                Assert.Equal(order.Skip(order.Count - labels.Length).Select(i => (long)(i % 3)), labels);
                Assert.Equal(order.Skip(order.Count - labels.Length).Select(i => $"sample-{i}"), batch.Files);
            }
        }
        return order;
    }

    [Fact]
    public void Unshuffled_epochs_yield_every_sample_in_order_in_ceil_n_over_b_batches()
    {
        var (images, labels) = Numbered(10);
        using var _i = images;
        using var _l = labels;
        using var source = new TensorBatchSource(images, labels, Classes, batchSize: 4);
        Assert.Equal(3, source.BatchesPerEpoch);
        Assert.Equal(10, source.SampleCount);
        Assert.False(source.IsAugmented);
        Assert.Equal(new[] { 4, 4, 2 }, source.ReadEpoch(0).Select(b => { using (b) return b.Count; }).ToArray());
        Assert.Equal(Enumerable.Range(0, 10), Order(source, 0));
        Assert.Equal(Enumerable.Range(0, 10), Order(source, 5));
    }

    [Fact]
    public void Shuffling_is_a_permutation_per_epoch_that_the_seed_reproduces_and_GetEpochOrder_announces()
    {
        var (images, labels) = Numbered(20);
        using var _i = images;
        using var _l = labels;
        using var source = new TensorBatchSource(images, labels, Classes, batchSize: 6, shuffle: true, seed: 3);
        using var same = new TensorBatchSource(images, labels, Classes, batchSize: 6, shuffle: true, seed: 3);
        using var other = new TensorBatchSource(images, labels, Classes, batchSize: 6, shuffle: true, seed: 4);
        var epoch0 = Order(source, 0);
        var epoch1 = Order(source, 1);
        Assert.Equal(Enumerable.Range(0, 20), epoch0.Order());
        Assert.NotEqual(epoch0, epoch1);
        Assert.NotEqual(Enumerable.Range(0, 20), epoch0);
        Assert.Equal(epoch0, Order(same, 0));
        Assert.Equal(epoch0, Order(source, 0));
        Assert.NotEqual(epoch0, Order(other, 0));
        Assert.Equal(epoch1, source.GetEpochOrder(1));
    }

    private static bool Same(Tensor a, Tensor b) => a.eq(b).all().item<bool>();

    [Fact]
    public void An_augmentation_is_applied_per_batch_reproducibly_and_marks_the_source_augmented()
    {
        var (images, labels) = TrainingTestData.Draw(2, 4);
        using var _i = images;
        using var _l = labels;
        using var plain = new TensorBatchSource(images, labels, TrainingTestData.Classes, batchSize: 6);
        using var augmented = new TensorBatchSource(images, labels, TrainingTestData.Classes, batchSize: 6, augmentation: new HorizontalFlipForTests());
        Assert.True(augmented.IsAugmented);
        using var original = plain.ReadEpoch(0).Single();
        using var first = augmented.ReadEpoch(0).Single();
        using var again = augmented.ReadEpoch(0).Single();
        using var next = augmented.ReadEpoch(1).Single();
        Assert.True(Same(first.Images, again.Images));
        Assert.False(Same(first.Images, original.Images));
        Assert.False(Same(first.Images, next.Images));
        for (int i = 0; i < 6; i++)
        {
            bool same = Same(first.Images[i], original.Images[i]);
            bool flipped = Same(first.Images[i], original.Images[i].flip(2));
            Assert.True(same || flipped);
        }
    }

    [Fact]
    public void Bad_arguments_are_refused_with_the_value()
    {
        var (images, labels) = Numbered(4);
        using var _i = images;
        using var _l = labels;
        Assert.Contains("got 0", Assert.Throws<ArgumentOutOfRangeException>(() => new TensorBatchSource(images, labels, Classes, batchSize: 0)).Message);
        using var wrongLabels = tensor(new long[] { 0, 1, 2, 3 });
        Assert.Contains("0..3", Assert.Throws<ArgumentOutOfRangeException>(() => new TensorBatchSource(images, wrongLabels, Classes)).Message);
        using var gray = zeros(4, 1, 4, 5);
        Assert.Contains("N x 3 x H x W", Assert.Throws<ArgumentException>(() => new TensorBatchSource(gray, labels, Classes)).Message);
        using var bytes = zeros(new long[] { 4, 3, 4, 5 }, ScalarType.Byte);
        Assert.Contains("Byte", Assert.Throws<ArgumentException>(() => new TensorBatchSource(bytes, labels, Classes)).Message);
    }

    [Fact]
    public void The_source_copies_its_input()
    {
        var (images, labels) = Numbered(3);
        using var _l = labels;
        using var source = new TensorBatchSource(images, labels, Classes);
        images.Dispose();
        Assert.Equal(new[] { 0, 1, 2 }, Order(source, 0));
    }
}

[Collection(TensorLifetimeCollection.Name)]
public sealed class TensorBatchSourceLifetimeTests
{
    [Fact]
    public void Reading_and_disposing_batches_leaves_no_tensor_behind_and_Dispose_frees_the_copies()
    {
        var (images, labels) = TrainingTestData.Draw(3, 2);
        using var _i = images;
        using var _l = labels;
        long before = TrainerMemoryTests.Settled();
        using (var source = new TensorBatchSource(images, labels, TrainingTestData.Classes, 4, shuffle: true, augmentation: new HorizontalFlipForTests()))
        {
            foreach (var batch in source.ReadEpoch(0)) batch.Dispose();
            foreach (var batch in source.ReadEpoch(1)) batch.Dispose();
        }
        Assert.Equal(before, Tensor.TotalCount);
    }
}
