using TorchSharp.Modules;
using TransferLearning.Backbones;
using TransferLearning.Tests.Support;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Tests.Backbones;

public sealed class PretrainedBackboneTests
{
    /// <summary>Two blocks of conv + BatchNorm + ReLU; 8 output channels.</summary>
    internal static PretrainedBackbone Tiny(PoolingMode pooling = PoolingMode.GlobalAverage)
    {
        var features = Sequential(
            ("0", Conv2d(3, 4, 3, padding: 1)), ("1", BatchNorm2d(4)), ("2", ReLU()),
            ("3", Conv2d(4, 8, 3, padding: 1)), ("4", BatchNorm2d(8)), ("5", ReLU()));
        var children = features.children().ToList();
        var groups = new[] { new LayerGroup("block1", children.Take(3).ToList()), new LayerGroup("block2", children.Skip(3).ToList()) };
        return new PretrainedBackbone("tiny", features, ImagePreprocessing.ImageNet(), 8, groups, pooling);
    }

    private static BatchNorm2d[] Norms(PretrainedBackbone b) => b.modules().OfType<BatchNorm2d>().ToArray();

    [Fact]
    public void A_new_backbone_is_trainable_and_in_training_mode()
    {
        using var b = Tiny();
        Assert.False(b.IsFrozen);
        Assert.All(b.parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(b.ParameterCount, b.TrainableParameterCount);
        // conv 3->4 (108 + 4), bn 4 (8), conv 4->8 (288 + 8), bn 8 (16)
        Assert.Equal(432, b.ParameterCount);
        Assert.All(Norms(b), n => Assert.True(n.training));
    }

    [Fact]
    public void Freeze_stops_gradients_and_keeps_norm_layers_in_inference_mode_while_training()
    {
        using var b = Tiny();
        b.Freeze();
        Assert.True(b.IsFrozen);
        Assert.All(b.LayerGroups, g => Assert.True(g.IsFrozen));
        Assert.All(b.parameters(), p => Assert.False(p.requires_grad));
        Assert.Equal(0, b.TrainableParameterCount);
        b.train();
        Assert.True(b.training);
        Assert.All(Norms(b), n => Assert.False(n.training));
    }

    [Fact]
    public void Frozen_norm_layers_keep_their_running_statistics_during_a_training_forward_pass()
    {
        using var b = Tiny();
        b.Freeze();
        b.train();
        var bn = Norms(b)[0];
        using var before = bn.running_mean!.clone();
        using var scope = NewDisposeScope();
        b.forward(rand(2, 3, 8, 8) * 255);
        Assert.True(bn.running_mean!.allclose(before, rtol: 0, atol: 0));

        b.Unfreeze();
        b.train();
        b.forward(rand(2, 3, 8, 8) * 255);
        Assert.False(bn.running_mean!.allclose(before, rtol: 0, atol: 0));
    }

    [Fact]
    public void Unfreeze_last_blocks_thaws_only_the_deepest_groups()
    {
        using var b = Tiny();
        b.Freeze();
        b.Unfreeze(lastBlocks: 1);
        b.train();
        Assert.False(b.IsFrozen);
        Assert.True(b.LayerGroups[0].IsFrozen);
        Assert.False(b.LayerGroups[1].IsFrozen);
        Assert.All(b.LayerGroups[0].Parameters(), p => Assert.False(p.requires_grad));
        Assert.All(b.LayerGroups[1].Parameters(), p => Assert.True(p.requires_grad));
        Assert.Equal(4 * 3 * 9 + 4 + 8, b.ParameterCount - b.TrainableParameterCount);
        var norms = Norms(b);
        Assert.False(norms[0].training);
        Assert.True(norms[1].training);

        b.Unfreeze();
        Assert.All(b.parameters(), p => Assert.True(p.requires_grad));
        Assert.All(Norms(b), n => Assert.True(n.training));
    }

    [Fact]
    public void Eval_puts_everything_in_inference_mode_and_train_after_unfreeze_restores_it()
    {
        using var b = Tiny();
        b.Freeze();
        b.eval();
        Assert.All(Norms(b), n => Assert.False(n.training));
        b.Unfreeze(0);
        Assert.True(b.IsFrozen);
        b.Unfreeze(2);
        b.train();
        Assert.All(Norms(b), n => Assert.True(n.training));
    }

    [Fact]
    public void TrainFrozenNormalization_lets_frozen_norm_layers_follow_train()
    {
        using var b = Tiny();
        b.TrainFrozenNormalization = true;
        b.Freeze();
        b.train();
        Assert.All(Norms(b), n => Assert.True(n.training));
        Assert.All(b.parameters(), p => Assert.False(p.requires_grad));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void Unfreeze_rejects_a_block_count_outside_the_groups(int lastBlocks)
    {
        using var b = Tiny();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => b.Unfreeze(lastBlocks));
        Assert.Equal("lastBlocks", e.ParamName);
        Assert.Contains($"got {lastBlocks}", e.Message);
    }

    [Fact]
    public void Gradients_reach_only_unfrozen_parameters()
    {
        using var b = Tiny();
        b.Unfreeze(1);
        using var scope = NewDisposeScope();
        b.forward(rand(2, 3, 8, 8) * 255).sum().backward();
        Assert.All(b.LayerGroups[0].Parameters(), p => Assert.True(p.grad is null));
        Assert.All(b.LayerGroups[1].Parameters(), p => Assert.True(p.grad is not null));
    }

    [Theory]
    [InlineData(PoolingMode.GlobalAverage, 8)]
    [InlineData(PoolingMode.GlobalMax, 8)]
    [InlineData(PoolingMode.Flatten, 8 * 4 * 5)]
    public void Forward_pools_the_feature_map(PoolingMode pooling, int width)
    {
        using var b = Tiny(pooling);
        b.eval();
        using var scope = NewDisposeScope();
        var images = rand(2, 3, 4, 5) * 255;
        var map = b.ExtractFeatureMap(images);
        var pooled = b.forward(images);
        Assert.Equal(new long[] { 2, width }, pooled.shape);
        var expected = pooling switch
        {
            PoolingMode.GlobalAverage => map.mean(new long[] { 2, 3 }),
            PoolingMode.GlobalMax => map.amax(new long[] { 2, 3 }),
            _ => map.flatten(1),
        };
        Assert.True(pooled.allclose(expected));
    }

    [Fact]
    public void Preprocessing_buffers_never_appear_in_the_state_dict()
    {
        using var b = Tiny();
        var keys = b.state_dict().Keys.ToList();
        Assert.DoesNotContain(keys, k => k.StartsWith("preprocessing", StringComparison.Ordinal));
        Assert.Contains("features.1.running_mean", keys);
        Assert.Contains("features.0.weight", keys);
    }

    [Fact]
    public void Rejects_a_batch_that_is_not_N_by_3_by_H_by_W()
    {
        using var b = Tiny();
        using var bad = zeros(3, 8, 8);
        var e = Assert.Throws<ArgumentException>(() => b.forward(bad));
        Assert.Contains("[3, 8, 8]", e.Message);
    }
}

[Collection(TensorLifetimeCollection.Name)]
public sealed class PretrainedBackboneLifetimeTests
{
    [Fact]
    public void Forward_and_ExtractFeatureMap_leave_no_tensor_behind()
    {
        using var b = PretrainedBackboneTests.Tiny();
        b.eval();
        using var images = rand(2, 3, 8, 8) * 255;
        using (b.forward(images)) { }
        long before = Tensor.TotalCount;
        using (b.forward(images)) { }
        using (b.ExtractFeatureMap(images)) { }
        using (var map = b.ExtractFeatureMap(images))
        using (b.Pool(map)) { }
        Assert.Equal(before, Tensor.TotalCount);
    }
}
