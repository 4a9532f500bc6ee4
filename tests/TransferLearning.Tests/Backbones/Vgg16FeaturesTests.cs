using TransferLearning.Backbones;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Backbones;

public sealed class Vgg16FeaturesTests
{
    [Fact]
    public void Has_torchvisions_parameter_names_shapes_and_count()
    {
        using var vgg = new Vgg16Features();
        var parameters = vgg.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal(26, parameters.Count);
        Assert.Equal(new long[] { 64, 3, 3, 3 }, parameters["features.0.weight"]);
        Assert.Equal(new long[] { 512, 512, 3, 3 }, parameters["features.28.weight"]);
        Assert.Equal(new long[] { 512 }, parameters["features.28.bias"]);
        Assert.Equal(14_714_688, parameters.Values.Sum(s => s.Aggregate(1L, (a, b) => a * b)));
    }

    [Fact]
    public void A_forward_pass_gives_a_512_channel_map_at_one_32nd_of_the_size()
    {
        using var vgg = new Vgg16Features();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var features = vgg.forward(rand(2, 3, 64, 64));
        Assert.Equal(new long[] { 2, 512, 2, 2 }, features.shape);
    }
}
