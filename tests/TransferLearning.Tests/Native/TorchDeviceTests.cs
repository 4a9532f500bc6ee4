using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Native;

/// <summary>Asking for a device this process cannot use names the package to reference and the fix.</summary>
public sealed class TorchDeviceTests
{
    /// <summary>The tests run on TorchSharp-cpu (no GPU on this project's machines); these tests assume that.</summary>
    private static bool CpuBackend => !TorchNative.HasLibTorchCuda(AppContext.BaseDirectory);

    [Fact]
    public void Cuda_on_the_CPU_backend_names_both_CUDA_packages_and_the_MSBuild_switch()
    {
        Assert.True(CpuBackend, "the test project references TorchSharp-cpu");

        var e = Assert.Throws<TorchDeviceUnavailableException>(() => TorchNative.ResolveDevice("cuda"));

        Assert.Contains("'cuda:0'", e.Message);
        Assert.Contains("CPU-only", e.Message);
        Assert.Contains("TorchSharp-cuda-linux", e.Message);
        Assert.Contains("TorchSharp-cuda-windows", e.Message);
        Assert.Contains("replace the app's TorchSharp-cpu", e.Message);
        Assert.Contains("-p:TorchBackend=cuda", e.Message);
        Assert.Contains("0.107.0", e.Message);
        Assert.Contains("--device cpu", e.Message);
        Assert.DoesNotContain("did not initialise", e.Message);
        Assert.False(e.BackendHasCuda);
        Assert.Equal("cuda:0", e.RequestedDevice);
    }

    [Fact]
    public void A_cuda_device_object_is_checked_the_same_way()
    {
        Assert.True(CpuBackend);
        var e = Assert.Throws<TorchDeviceUnavailableException>(() => TorchNative.EnsureAvailable(new Device(TorchSharp.DeviceType.CUDA, 1)));
        Assert.Contains("'cuda:1'", e.Message);
        Assert.Contains("TorchSharp-cuda-linux", e.Message);
    }

    [Fact]
    public void Auto_and_cpu_give_the_CPU_here_and_an_unknown_name_is_quoted()
    {
        Assert.True(CpuBackend);
        Assert.Equal(TorchSharp.DeviceType.CPU, TorchNative.ResolveDevice("auto").type);
        Assert.Equal(TorchSharp.DeviceType.CPU, TorchNative.ResolveDevice(null).type);
        Assert.Equal(TorchSharp.DeviceType.CPU, TorchNative.ResolveDevice(" CPU ").type);
        TorchNative.EnsureAvailable(CPU);
        var e = Assert.Throws<ArgumentException>(() => TorchNative.ResolveDevice("tpu"));
        Assert.Contains("'tpu'", e.Message);
        Assert.Contains("auto, cpu, cuda or cuda:N", e.Message);
    }

    [Fact]
    public void With_the_CUDA_backend_but_no_GPU_the_message_points_at_the_driver()
    {
        var e = TorchNative.ExplainUnavailableCuda("cuda:0", backendHasCuda: true, deviceCount: 0);
        Assert.Contains("nvidia-smi", e.Message);
        Assert.Contains("driver", e.Message);
        Assert.DoesNotContain("replace the app's TorchSharp-cpu", e.Message);
        Assert.True(e.BackendHasCuda);

        var index = TorchNative.ExplainUnavailableCuda("cuda:2", backendHasCuda: true, deviceCount: 2);
        Assert.Contains("2 CUDA device(s): use cuda:0 to cuda:1", index.Message);
    }
}
