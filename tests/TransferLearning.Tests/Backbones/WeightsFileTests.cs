using TransferLearning.Backbones;
using Xunit.Abstractions;
using static TorchSharp.torch;
using static TransferLearning.Tests.Backbones.WeightsFileWriters;

namespace TransferLearning.Tests.Backbones;

public sealed class WeightsFileTests : IDisposable
{
    private readonly ITestOutputHelper _output;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "tl-weights-" + Guid.NewGuid().ToString("N"));

    public WeightsFileTests(ITestOutputHelper output)
    {
        _output = output;
        Directory.CreateDirectory(_dir);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Temp(string name) => Path.Combine(_dir, name);

    private static string TestData(string name) =>
        TransferLearning.Tests.Support.RepositoryPaths.Path("tests", "TransferLearning.Tests", "Backbones", "TestData", name);

    private static float[] Values(Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void Reads_the_torchvision_zip_checkpoint_with_its_keys_shapes_and_dtype()
    {
        Assert.Equal(WeightsFormat.PyTorch, WeightsFile.DetectFormat(Vgg16ParityTests.Checkpoint));
        using var weights = WeightsFile.Read(Vgg16ParityTests.Checkpoint);
        Assert.Equal(26, weights.Count);
        Assert.Equal("features.0.weight", weights.Keys.First());
        Assert.Equal(new long[] { 64, 3, 3, 3 }, weights["features.0.weight"].shape);
        Assert.Equal(new long[] { 512 }, weights["features.28.bias"].shape);
        Assert.All(weights.Values, t => Assert.Equal(ScalarType.Float32, t.dtype));
        Assert.Equal(14_714_688, weights.Values.Sum(t => t.numel()));
    }

    [Fact]
    public void Reads_the_legacy_torch_save_format_with_views_and_shared_storages()
    {
        // Written by TestData/make_legacy_pth.py in the layout of torchvision's published (pre-1.6) weight files.
        string path = TestData("legacy_format.pth");
        Assert.Equal(WeightsFormat.PyTorch, WeightsFile.DetectFormat(path));
        using var weights = WeightsFile.Read(path);
        Assert.Equal(new[] { "a.weight", "a.bias", "b.weight", "b.bias", "steps" }, weights.Keys);
        Assert.Equal(new long[] { 2, 3 }, weights["a.weight"].shape);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, Values(weights["a.weight"]));
        Assert.Equal(new float[] { 10, 20 }, Values(weights["a.bias"]));
        Assert.Equal(new long[] { 3, 2 }, weights["b.weight"].shape);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, Values(weights["b.weight"]));
        Assert.Equal(new float[] { 4, 5 }, Values(weights["b.bias"]));
        Assert.Equal(ScalarType.Int64, weights["steps"].dtype);
        Assert.Empty(weights["steps"].shape);
        Assert.Equal(7L, weights["steps"].item<long>());
    }

    [Fact]
    public void A_truncated_legacy_file_is_refused()
    {
        byte[] bytes = File.ReadAllBytes(TestData("legacy_format.pth"));
        string path = Temp("cut.pth");
        File.WriteAllBytes(path, bytes[..^10]);
        var e = Assert.Throws<InvalidDataException>(() => WeightsFile.Read(path));
        _output.WriteLine(e.Message);
        Assert.Contains("cut.pth", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("__builtin__", "exec")]
    [InlineData("torch", "load")]
    [InlineData("subprocess", "Popen")]
    public void A_pickle_that_names_any_other_global_is_refused_before_anything_is_called(string module, string name)
    {
        string path = Temp("evil.pth");
        PyTorchZip(path, Pickle("\x80\x02", $"c{module}\n{name}\n", "q\x00", Str("echo pwned"), "\x85", "R", "."));
        var e = Assert.Throws<InvalidDataException>(() => WeightsFile.Read(path));
        _output.WriteLine(e.Message);
        Assert.Contains($"global '{module}.{name}' is refused", e.Message);
        Assert.Contains("evil.pth", e.Message);
    }

    [Fact]
    public void Object_construction_opcodes_are_refused()
    {
        string path = Temp("newobj.pth");
        // collections.OrderedDict is allowed as a global, but NEWOBJ (0x81) builds arbitrary instances: refused.
        PyTorchZip(path, Pickle("\x80\x02", "ccollections\nOrderedDict\n", ")", (byte)0x81, "."));
        var e = Assert.Throws<InvalidDataException>(() => WeightsFile.Read(path));
        _output.WriteLine(e.Message);
        Assert.Contains("opcode 0x81", e.Message);
    }

    [Fact]
    public void A_pickle_that_calls_a_storage_type_is_refused()
    {
        string path = Temp("call.pth");
        PyTorchZip(path, Pickle("\x80\x02", "ctorch\nFloatStorage\n", ")", "R", "."));
        var e = Assert.Throws<InvalidDataException>(() => WeightsFile.Read(path));
        Assert.Contains("torch.FloatStorage cannot be called", e.Message);
    }

    [Fact]
    public void A_pickled_model_instead_of_a_state_dict_is_refused_with_advice()
    {
        string path = Temp("list.pth");
        PyTorchZip(path, Pickle("\x80\x02", "]", "."));
        var e = Assert.Throws<InvalidDataException>(() => WeightsFile.Read(path));
        _output.WriteLine(e.Message);
        Assert.Contains("not a state dict", e.Message);
    }

    [Fact]
    public void A_tensor_that_reads_past_its_storage_is_refused()
    {
        string path = Temp("oob.pth");
        // {'w': _rebuild_tensor_v2(storage '0' of 2 floats, offset 0, size (3,), stride (1,), False, OrderedDict())}
        var pkl = Pickle("\x80\x02", "}", "(", Str("w"), "ctorch._utils\n_rebuild_tensor_v2\n", "(",
            "(", Str("storage"), "ctorch\nFloatStorage\n", Str("0"), Str("cpu"), "K\x02", "t", "Q",
            "K\x00", "K\x03\x85", "K\x01\x85", "\x89", "ccollections\nOrderedDict\n", ")", "R", "t", "R", "u", ".");
        PyTorchZip(path, pkl, new Dictionary<string, byte[]> { ["0"] = new byte[8] });
        var e = Assert.Throws<InvalidDataException>(() => WeightsFile.Read(path));
        _output.WriteLine(e.Message);
        Assert.Contains("'w'", e.Message);
        Assert.Contains("reads past the end of its storage of 2 values", e.Message);
    }

    [Fact]
    public void Reads_safetensors()
    {
        string path = Temp("w.safetensors");
        using var scope = NewDisposeScope();
        SafeTensors(path, new[] { ("a", arange(6, dtype: float32).reshape(2, 3)), ("b", tensor(new long[] { 5, 6 })), ("h", ones(2, dtype: float16)) });
        Assert.Equal(WeightsFormat.SafeTensors, WeightsFile.DetectFormat(path));
        using var weights = WeightsFile.Read(path);
        Assert.Equal(new[] { "a", "b", "h" }, weights.Keys);
        Assert.Equal(new float[] { 0, 1, 2, 3, 4, 5 }, Values(weights["a"]));
        Assert.Equal(new long[] { 2, 3 }, weights["a"].shape);
        Assert.Equal(new long[] { 5, 6 }, weights["b"].data<long>().ToArray());
        Assert.Equal(ScalarType.Float16, weights["h"].dtype);
    }

    [Fact]
    public void A_safetensors_entry_whose_offsets_do_not_fit_its_shape_is_refused()
    {
        string path = Temp("bad.safetensors");
        using var scope = NewDisposeScope();
        SafeTensors(path, new[] { ("a", ones(4)) });
        var bytes = File.ReadAllBytes(path);
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        File.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text.Replace("\"shape\":[4]", "\"shape\":[5]")));
        var e = Assert.Throws<InvalidDataException>(() => WeightsFile.Read(path, WeightsFormat.SafeTensors));
        _output.WriteLine(e.Message);
        Assert.Contains("'a' of shape [5] needs 20 bytes; its offsets give 16", e.Message);
    }

    [Fact]
    public void Reads_TorchSharps_own_format_and_loads_it_back()
    {
        string path = Temp("tiny.dat");
        using var source = PretrainedBackboneTests.Tiny();
        source.save(path);
        Assert.Equal(WeightsFormat.TorchSharp, WeightsFile.DetectFormat(path));
        using var target = PretrainedBackboneTests.Tiny();
        target.LoadWeights(path);
        var expected = source.state_dict();
        foreach (var (key, value) in target.state_dict())
            Assert.True(value.allclose(expected[key], rtol: 0, atol: 0), key);
    }

    [Fact]
    public void A_missing_file_names_its_path()
    {
        string path = Temp("nope.pth");
        var e = Assert.Throws<FileNotFoundException>(() => WeightsFile.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_shape_mismatch_names_the_key_and_both_shapes_and_loads_nothing()
    {
        using var b = PretrainedBackboneTests.Tiny();
        using var scope = NewDisposeScope();
        var weights = b.state_dict().ToDictionary(kv => kv.Key, kv => zeros_like(kv.Value));
        weights["features.3.weight"] = zeros(8, 4, 5, 5);
        var before = b.state_dict()["features.0.weight"].clone();
        var e = Assert.Throws<WeightsMismatchException>(() => b.LoadWeights(weights, "tiny.pth"));
        _output.WriteLine(e.Message);
        Assert.Equal("Weights 'tiny.pth' do not fit tiny: key 'features.3.weight' has shape [8, 4, 3, 3] in the model but [8, 4, 5, 5] in the file.", e.Message);
        Assert.Equal("features.3.weight", e.Key);
        Assert.Equal(new long[] { 8, 4, 3, 3 }, e.ModelShape);
        Assert.Equal(new long[] { 8, 4, 5, 5 }, e.FileShape);
        Assert.True(b.state_dict()["features.0.weight"].allclose(before, rtol: 0, atol: 0));
    }

    [Fact]
    public void Missing_and_unexpected_keys_are_listed()
    {
        using var b = PretrainedBackboneTests.Tiny();
        using var scope = NewDisposeScope();
        var weights = b.state_dict().ToDictionary(kv => kv.Key, kv => zeros_like(kv.Value));
        weights.Remove("features.4.running_var");
        weights["head.weight"] = zeros(2);
        var e = Assert.Throws<WeightsMismatchException>(() => b.LoadWeights(weights, "tiny.pth"));
        _output.WriteLine(e.Message);
        Assert.Equal(new[] { "features.4.running_var" }, e.MissingKeys);
        Assert.Equal(new[] { "head.weight" }, e.UnexpectedKeys);
        Assert.Contains("1 key(s) of the model missing from the file: features.4.running_var", e.Message);
        Assert.Contains("1 unexpected key(s) in the file: head.weight", e.Message);
    }

    [Fact]
    public void A_vgg16_without_the_top_ignores_classifier_keys_but_refuses_others()
    {
        string path = Temp("with-classifier.safetensors");
        using var weights = WeightsFile.Read(Vgg16ParityTests.Checkpoint);
        using var scope = NewDisposeScope();
        var entries = weights.Select(kv => (kv.Key, kv.Value)).Append(("classifier.6.bias", zeros(1000))).ToList();
        SafeTensors(path, entries);
        using var vgg = Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.File, WeightsFile = path });
        Assert.True(vgg.state_dict()["features.0.weight"].allclose(weights["features.0.weight"], rtol: 0, atol: 0));

        SafeTensors(path, entries.Append(("fc.weight", zeros(3))));
        var e = Assert.Throws<WeightsMismatchException>(() => Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.File, WeightsFile = path }));
        _output.WriteLine(e.Message);
        Assert.Equal(new[] { "fc.weight" }, e.UnexpectedKeys);
        Assert.Contains("classifier.* keys are ignored because the top is off", e.Message);
    }

    [Fact]
    public void A_vgg16_with_the_top_needs_the_classifier_keys()
    {
        var e = Assert.Throws<WeightsMismatchException>(() => Vgg16.Create(new Vgg16Options
        {
            Weights = Vgg16Weights.File, WeightsFile = Vgg16ParityTests.Checkpoint, IncludeTop = true,
        }));
        _output.WriteLine(e.Message);
        Assert.Equal(new[] { "classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias", "classifier.6.weight", "classifier.6.bias" }, e.MissingKeys);
        Assert.Contains("vgg16_features_seed1234.pth", e.Message);
    }

    [Fact]
    public void A_vgg16_shape_mismatch_from_a_file_names_the_key_and_both_shapes()
    {
        string path = Temp("narrow.safetensors");
        using var weights = WeightsFile.Read(Vgg16ParityTests.Checkpoint);
        using var scope = NewDisposeScope();
        SafeTensors(path, weights.Select(kv => (kv.Key, kv.Key == "features.0.weight" ? zeros(32, 3, 3, 3) : kv.Value)));
        var e = Assert.Throws<WeightsMismatchException>(() => Vgg16.Create(new Vgg16Options { Weights = Vgg16Weights.File, WeightsFile = path }));
        _output.WriteLine(e.Message);
        Assert.Equal("Weights 'narrow.safetensors' do not fit vgg16: key 'features.0.weight' has shape [64, 3, 3, 3] in the model but [32, 3, 3, 3] in the file.", e.Message);
    }

    [Fact]
    public void Half_precision_weights_load_into_a_float32_model()
    {
        string path = Temp("half.safetensors");
        using var source = PretrainedBackboneTests.Tiny();
        using var scope = NewDisposeScope();
        SafeTensors(path, source.state_dict().Select(kv => (kv.Key, kv.Value.dtype == ScalarType.Float32 ? kv.Value.to(float16) : kv.Value)));
        using var target = PretrainedBackboneTests.Tiny();
        target.LoadWeights(path);
        var expected = source.state_dict()["features.0.weight"];
        var actual = target.state_dict()["features.0.weight"];
        Assert.Equal(ScalarType.Float32, actual.dtype);
        Assert.True(actual.allclose(expected, rtol: 1e-3, atol: 1e-3));
    }

    [Fact]
    public void A_checkpoint_that_wraps_the_weights_in_a_state_dict_entry_is_unwrapped()
    {
        string path = Temp("wrapped.pth");
        // {'epoch': 3, 'state_dict': {'w': tensor of 2 floats}}
        var pkl = Pickle("\x80\x02", "}", "(", Str("epoch"), "K\x03", Str("state_dict"), "}", "(", Str("w"), "ctorch._utils\n_rebuild_tensor_v2\n", "(",
            "(", Str("storage"), "ctorch\nFloatStorage\n", Str("0"), Str("cpu"), "K\x02", "t", "Q",
            "K\x00", "K\x02\x85", "K\x01\x85", "\x89", "ccollections\nOrderedDict\n", ")", "R", "t", "R", "u", "u", ".");
        PyTorchZip(path, pkl, new Dictionary<string, byte[]> { ["0"] = BitConverter.GetBytes(1.5f).Concat(BitConverter.GetBytes(-2f)).ToArray() });
        using var weights = WeightsFile.Read(path);
        Assert.Equal(new[] { "w" }, weights.Keys);
        Assert.Equal(new[] { 1.5f, -2f }, Values(weights["w"]));
    }
}
