using System.Text.Json;
using TransferLearning.Augmentation;
using TransferLearning.Tests.Support;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Augmentation;

/// <summary>Keras' own outputs for fixed parameters (shared/fixtures/keras-augment) reproduced by both resamplers.</summary>
public sealed class KerasParityTests
{
    private readonly ITestOutputHelper output;

    public KerasParityTests(ITestOutputHelper output) => this.output = output;

    public static IEnumerable<object[]> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path("keras-augment", "cases.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
            yield return new object[] { c.GetProperty("name").GetString()! };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Managed_resampler_reproduces_keras(string name) => Check(name, ResamplerEngine.Managed);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Grid_sample_resampler_reproduces_keras(string name) => Check(name, ResamplerEngine.GridSample);

    private void Check(string name, ResamplerEngine engine)
    {
        using var scope = NewDisposeScope();
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedFixtures.Path("keras-augment", "cases.json")));
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var input = Npy.ReadTensor(SharedFixtures.Path("keras-augment", "input.npy")).permute(2, 0, 1).unsqueeze(0).contiguous();
        var expected = Npy.ReadTensor(SharedFixtures.Path("keras-augment", c.GetProperty("expected").GetString()!)).permute(2, 0, 1).unsqueeze(0);
        int height = (int)input.shape[2], width = (int)input.shape[3];

        double Get(string key, double fallback) => c.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;
        bool Flag(string key) => c.TryGetProperty(key, out var v) && v.GetBoolean();
        var fill = (c.TryGetProperty("fill_mode", out var f) ? f.GetString() : "nearest") switch
        {
            "nearest" => FillMode.Nearest,
            "constant" => FillMode.Constant,
            "reflect" => FillMode.Reflect,
            "wrap" => FillMode.Wrap,
            var other => throw new InvalidDataException($"fill_mode {other}"),
        };
        var resampling = new Resampling(Get("order", 1) == 0 ? AffineInterpolation.Nearest : AffineInterpolation.Bilinear, fill, Get("cval", 0));

        // Keras: rotation · shift · shear · zoom about the centre, then the flips (whole-pixel maps, fused too).
        var matrix = RandomRotation.Matrix(Get("theta", 0), height, width)
            .Then(RandomShift.Matrix(new ShiftOffset(Get("tx", 0), Get("ty", 0))))
            .Then(RandomShear.Matrix(Get("shear", 0), height, width))
            .Then(RandomZoom.Matrix(new ZoomFactors(Get("zx", 1), Get("zy", 1)), height, width))
            .Then(RandomFlip.Matrix(FlipDirection.Horizontal, Flag("flip_horizontal"), height, width))
            .Then(RandomFlip.Matrix(FlipDirection.Vertical, Flag("flip_vertical"), height, width));
        var actual = AffineResampler.Resample(input, new[] { matrix }, height, width, resampling, engine);
        if (c.TryGetProperty("channel_shift_intensity", out var shift))
            actual = new RandomChannelShift(255).Apply(actual, new[] { shift.GetDouble() });
        if (Flag("samplewise_center")) actual = new SamplewiseCenter().Apply(actual);
        if (Flag("samplewise_std_normalization")) actual = new SamplewiseStdNormalization().Apply(actual);

        double error = actual.sub(expected).abs().max().item<float>();
        output.WriteLine($"{engine} {name}: max abs diff {error:G4} (0..255 scale)");
        Assert.True(error <= 0.05, $"{name} ({engine}): max abs diff {error} > 0.05");
    }
}
