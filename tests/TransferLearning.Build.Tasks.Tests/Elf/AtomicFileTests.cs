using TransferLearning.Build.Tasks.Elf;

namespace TransferLearning.Build.Tasks.Tests.Elf;

/// <summary>The ELF fix replaces the shim atomically: the original is never deleted before the patched copy is in.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tl-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Until_the_rename_the_original_is_untouched_and_the_new_bytes_sit_in_a_temp_file_beside_it()
    {
        string path = Path.Combine(_dir, "libLibTorchSharp.so");
        File.WriteAllBytes(path, [1, 2, 3, 4]);
        string? seenTemp = null;

        AtomicFile.Replace(path, [9, 9], temp =>
        {
            seenTemp = temp;
            Assert.Equal(_dir, Path.GetDirectoryName(temp)); // same folder, so the rename cannot cross file systems
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, File.ReadAllBytes(path));
            Assert.Equal(new byte[] { 9, 9 }, File.ReadAllBytes(temp));
        });

        Assert.Equal(new byte[] { 9, 9 }, File.ReadAllBytes(path));
        Assert.NotNull(seenTemp);
        Assert.Equal([path], Directory.GetFiles(_dir)); // no temp file left behind
    }

    [Fact]
    public void A_failure_before_the_rename_leaves_the_original_and_no_temp_file()
    {
        string path = Path.Combine(_dir, "libLibTorchSharp.so");
        File.WriteAllBytes(path, [1, 2, 3, 4]);

        Assert.Throws<IOException>(() => AtomicFile.Replace(path, [9, 9], _ => throw new IOException("killed")));

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void The_file_keeps_its_permissions()
    {
        if (OperatingSystem.IsWindows()) return;
        string path = Path.Combine(_dir, "libLibTorchSharp.so");
        File.WriteAllBytes(path, [1]);
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        File.SetUnixFileMode(path, mode);

        AtomicFile.Replace(path, [2, 3]);

        Assert.Equal(mode, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task A_reader_polling_the_path_during_repeated_replaces_never_finds_it_missing()
    {
        string path = Path.Combine(_dir, "libLibTorchSharp.so");
        byte[] a = new byte[4096], b = new byte[4096];
        Array.Fill(a, (byte)1);
        Array.Fill(b, (byte)2);
        File.WriteAllBytes(path, a);
        int missing = 0, torn = 0;
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    byte[] seen = File.ReadAllBytes(path);
                    if (!seen.AsSpan().SequenceEqual(a) && !seen.AsSpan().SequenceEqual(b)) torn++;
                }
                catch (FileNotFoundException) { missing++; }
            }
        });

        for (int i = 0; i < 200; i++) AtomicFile.Replace(path, i % 2 == 0 ? b : a);
        stop.Cancel();
        await reader;

        Assert.Equal(0, missing);
        Assert.Equal(0, torn);
    }
}
