using TransferLearning.Native;

namespace TransferLearning.Tests.Native;

public sealed class OpenMpWaitPolicyTests
{
    [Fact]
    public void An_unset_variable_is_set_where_native_code_reads_it()
    {
        string name = $"TL_TEST_{Guid.NewGuid():N}";
        Assert.Null(OpenMpWaitPolicy.NativeValue(name));

        Assert.Equal("PASSIVE", OpenMpWaitPolicy.SetIfUnset(name, "PASSIVE"));

        Assert.Equal("PASSIVE", OpenMpWaitPolicy.NativeValue(name));
    }

    [Fact]
    public void A_value_the_process_set_is_kept()
    {
        string name = $"TL_TEST_{Guid.NewGuid():N}";
        OpenMpWaitPolicy.SetIfUnset(name, "ACTIVE");

        Assert.Equal("ACTIVE", OpenMpWaitPolicy.SetIfUnset(name, "PASSIVE"));
        Assert.Equal("ACTIVE", OpenMpWaitPolicy.NativeValue(name));
    }

    [Fact]
    public void Loading_torch_leaves_the_wait_policy_passive_unless_the_environment_chose_one()
    {
        TorchNative.EnsureLoaded();

        var chosen = Environment.GetEnvironmentVariable(OpenMpWaitPolicy.Variable); // the environment the process started with
        Assert.Equal(string.IsNullOrEmpty(chosen) ? OpenMpWaitPolicy.Passive : chosen, OpenMpWaitPolicy.NativeValue(OpenMpWaitPolicy.Variable));
    }
}
