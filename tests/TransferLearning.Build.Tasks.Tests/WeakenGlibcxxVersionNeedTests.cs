using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using TransferLearning.Build.Tasks.Elf;
using TransferLearning.Build.Tasks.Tests.Elf;

namespace TransferLearning.Build.Tasks.Tests;

public sealed class WeakenGlibcxxVersionNeedTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tl-task-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string relative, byte[] bytes)
    {
        string path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static byte[] Shim() => SyntheticElf.WithNeeds("libstdc++.so.6", ("GLIBCXX_3.4.30", 0), ("GLIBCXX_3.4.32", 0));

    private (WeakenGlibcxxVersionNeed Task, RecordingBuildEngine Engine) Create(string systemLibrary, string? protectedDirs, params string[] files)
    {
        var engine = new RecordingBuildEngine();
        var task = new WeakenGlibcxxVersionNeed
        {
            BuildEngine = engine,
            Files = files.Select(f => (ITaskItem)new TaskItem(f)).ToArray(),
            SystemLibrary = systemLibrary,
            ProtectedDirectories = protectedDirs,
            IgnoreOperatingSystem = true,
        };
        return (task, engine);
    }

    private static bool IsWeak(string path) =>
        ElfVersionNeeds.ReadVersionNeeds(File.ReadAllBytes(path), path).Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak;

    [Fact]
    public void On_an_old_libstdcxx_it_patches_every_copy_and_logs_one_message()
    {
        string old = Write("sys/libstdc++.so.6", SyntheticElf.WithDefinitions("libstdc++.so.6", "GLIBCXX_3.4.30"));
        string a = Write("app/runtimes/linux-x64/native/libLibTorchSharp.so", Shim());
        string b = Write("app/cpu/libLibTorchSharp.so", Shim());
        var (task, engine) = Create(old, null, a, b);

        Assert.True(task.Execute());

        Assert.True(IsWeak(a));
        Assert.True(IsWeak(b));
        Assert.Equal(2, task.PatchedFiles.Length);
        var loud = engine.Messages.Where(m => m.Importance == MessageImportance.High).ToList();
        Assert.Single(loud);
        Assert.Contains("GLIBCXX_3.4.32", loud[0].Message);
        Assert.Empty(engine.Warnings);
    }

    [Fact]
    public void Running_twice_changes_nothing_the_second_time()
    {
        string old = Write("sys/libstdc++.so.6", SyntheticElf.WithDefinitions("GLIBCXX_3.4.30"));
        string a = Write("app/libLibTorchSharp.so", Shim());
        Assert.True(Create(old, null, a).Task.Execute());
        var once = File.ReadAllBytes(a);

        var (task, engine) = Create(old, null, a);
        Assert.True(task.Execute());

        Assert.Equal(once, File.ReadAllBytes(a));
        Assert.Empty(task.PatchedFiles);
        Assert.DoesNotContain(engine.Messages, m => m.Importance == MessageImportance.High);
    }

    [Fact]
    public void On_a_new_libstdcxx_it_does_nothing()
    {
        string recent = Write("sys/libstdc++.so.6", SyntheticElf.WithDefinitions("GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "GLIBCXX_3.4.33"));
        var original = Shim();
        string a = Write("app/libLibTorchSharp.so", original);
        var (task, engine) = Create(recent, null, a);

        Assert.True(task.Execute());

        Assert.Equal(original, File.ReadAllBytes(a));
        Assert.DoesNotContain(engine.Messages, m => m.Importance == MessageImportance.High);
    }

    [Fact]
    public void It_never_writes_into_a_protected_folder_such_as_the_package_cache()
    {
        string old = Write("sys/libstdc++.so.6", SyntheticElf.WithDefinitions("GLIBCXX_3.4.30"));
        var original = Shim();
        string cached = Write("nuget/torchsharp/0.107.0/runtimes/linux-x64/native/libLibTorchSharp.so", original);
        var (task, _) = Create(old, Path.Combine(_dir, "nuget") + "/", cached);

        Assert.True(task.Execute());

        Assert.Equal(original, File.ReadAllBytes(cached));
    }

    [Fact]
    public void A_broken_file_is_a_warning_and_is_left_unchanged()
    {
        string old = Write("sys/libstdc++.so.6", SyntheticElf.WithDefinitions("GLIBCXX_3.4.30"));
        var junk = "not an elf"u8.ToArray();
        string broken = Write("app/libLibTorchSharp.so", junk);
        var (task, engine) = Create(old, null, broken);

        Assert.True(task.Execute());

        Assert.Equal(junk, File.ReadAllBytes(broken));
        Assert.Single(engine.Warnings);
        Assert.Contains(broken, engine.Warnings[0].Message);
    }
}
