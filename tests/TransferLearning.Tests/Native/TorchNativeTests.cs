using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Native;

public sealed class TorchNativeTests
{
    [Fact]
    public void TorchSharp_loads_and_computes_on_this_machine()
    {
        TorchNative.EnsureLoaded();
        using var a = tensor(new[] { 1f, 2f, 3f });
        using var b = a * 2 + 1;
        Assert.Equal(new[] { 3f, 5f, 7f }, b.data<float>().ToArray());
    }

    [Fact]
    public void A_glibcxx_failure_names_the_library_version_and_the_fix()
    {
        var inner = new DllNotFoundException(
            "Unable to load shared library 'LibTorchSharp': /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found (required by /app/libLibTorchSharp.so)");
        var error = TorchNative.Explain(new TypeInitializationException("TorchSharp.torch", inner), Path.GetTempPath());
        Assert.Contains("GLIBCXX_3.4.32", error.Message);
        Assert.Contains("libstdc++", error.Message);
        Assert.Contains("dotnet build", error.Message);
        Assert.Same(inner, error.InnerException!.InnerException);
    }

    [Fact]
    public void A_missing_backend_names_the_packages_to_add()
    {
        string empty = Directory.CreateTempSubdirectory("tl-noapp-").FullName;
        try
        {
            var error = TorchNative.Explain(new DllNotFoundException("Unable to load shared library 'LibTorchSharp' or one of its dependencies."), empty);
            Assert.Contains("TorchSharp-cpu", error.Message);
            Assert.Contains("TorchSharp-cuda-windows", error.Message);
            Assert.Contains("TorchSharp-cuda-linux", error.Message);
        }
        finally
        {
            Directory.Delete(empty);
        }
    }
}
