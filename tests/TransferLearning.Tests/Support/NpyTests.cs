namespace TransferLearning.Tests.Support;

public sealed class NpyTests
{
    [Fact]
    public void Reads_the_keras_fixture_input()
    {
        var (shape, data) = Npy.ReadFloat32(SharedFixtures.Path("keras-augment", "input.npy"));
        Assert.Equal(new long[] { 24, 32, 3 }, shape);
        Assert.All(data, v => Assert.InRange(v, 0f, 255f));
    }
}
