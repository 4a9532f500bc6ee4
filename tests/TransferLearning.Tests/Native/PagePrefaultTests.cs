using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Tests.Native;

public sealed class PagePrefaultTests
{
    [Fact]
    public unsafe void Populating_a_fresh_tensor_keeps_its_contents_and_succeeds_on_linux()
    {
        using var scope = NewDisposeScope();
        var t = arange(0, 3_000_000, dtype: ScalarType.Float32); // 12 MB: many pages, not page-aligned at either end
        var before = t.clone();
        PagePrefault.Outcome outcome;
        fixed (byte* p = t.bytes)
            outcome = PagePrefault.Populate((IntPtr)p, t.bytes.Length);

        Assert.True(t.eq(before).all().item<bool>());
        if (OperatingSystem.IsLinux() && Environment.OSVersion.Version >= new Version(5, 14))
            Assert.Equal(PagePrefault.Outcome.Populated, outcome);
        else
            Assert.NotEqual(PagePrefault.Outcome.Failed, outcome);
    }

    [Fact]
    public void Ranges_without_a_whole_page_are_left_alone()
    {
        Assert.Equal(PagePrefault.Outcome.Unsupported, PagePrefault.Populate((IntPtr)4097, 100));
        Assert.Equal(PagePrefault.Outcome.Unsupported, PagePrefault.Populate((IntPtr)4096, 0));
    }
}
