using TransferLearning.Build.Tasks.Elf;

namespace TransferLearning.Build.Tasks.Tests.Elf;

public sealed class ElfVersionNeedsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tl-elf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Reads_needs_with_library_names_and_flags()
    {
        var image = SyntheticElf.WithNeeds("libstdc++.so.6", ("GLIBCXX_3.4.30", 0), ("GLIBCXX_3.4.32", 0), ("CXXABI_1.3", 2));
        var needs = ElfVersionNeeds.ReadVersionNeeds(image, "x.so");
        Assert.Equal(new[] { "GLIBCXX_3.4.30", "GLIBCXX_3.4.32", "CXXABI_1.3" }, needs.Select(n => n.Version));
        Assert.All(needs, n => Assert.Equal("libstdc++.so.6", n.Library));
        Assert.Equal(new[] { false, false, true }, needs.Select(n => n.IsWeak));
    }

    [Fact]
    public void Marking_weak_changes_only_the_named_entrys_flags()
    {
        var original = SyntheticElf.WithNeeds("libstdc++.so.6", ("GLIBCXX_3.4.30", 0), ("GLIBCXX_3.4.32", 0), ("GLIBCXX_3.4.29", 0));
        string path = Write("lib.so", original);

        Assert.True(ElfVersionNeeds.MarkWeak(path, "GLIBCXX_3.4.32"));

        var patched = File.ReadAllBytes(path);
        Assert.Equal(original.Length, patched.Length);
        long flagsOffset = ElfVersionNeeds.ReadVersionNeeds(original, path).Single(n => n.Version == "GLIBCXX_3.4.32").FlagsOffset;
        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Equal(new[] { (int)flagsOffset }, differing);
        Assert.Equal(ElfVersionNeeds.WeakFlag, patched[flagsOffset]);
        var needs = ElfVersionNeeds.ReadVersionNeeds(patched, path);
        Assert.True(needs.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(needs.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
    }

    [Fact]
    public void Marking_weak_is_idempotent()
    {
        string path = Write("lib.so", SyntheticElf.WithNeeds("libstdc++.so.6", ("GLIBCXX_3.4.32", 0)));
        Assert.True(ElfVersionNeeds.MarkWeak(path, "GLIBCXX_3.4.32"));
        var once = File.ReadAllBytes(path);
        Assert.False(ElfVersionNeeds.MarkWeak(path, "GLIBCXX_3.4.32"));
        Assert.Equal(once, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_file_without_the_need_is_left_alone()
    {
        var original = SyntheticElf.WithNeeds("libstdc++.so.6", ("GLIBCXX_3.4.30", 0));
        string path = Write("lib.so", original);
        Assert.False(ElfVersionNeeds.MarkWeak(path, "GLIBCXX_3.4.32"));
        Assert.Equal(original, File.ReadAllBytes(path));
    }

    [Fact]
    public void Reads_version_definitions()
    {
        var image = SyntheticElf.WithDefinitions("libstdc++.so.6", "GLIBCXX_3.4", "GLIBCXX_3.4.30");
        Assert.Equal(new[] { "libstdc++.so.6", "GLIBCXX_3.4", "GLIBCXX_3.4.30" }, ElfVersionNeeds.ReadVersionDefinitions(image, "x"));
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { "not-elf", "not an ELF file" },
        { "empty", "not an ELF file" },
        { "truncated-header", "truncated" },
        { "truncated-sections", "truncated" },
        { "32-bit", "32-bit" },
        { "big-endian", "big-endian" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Bad_files_get_a_clear_error_and_stay_unchanged(string kind, string expected)
    {
        var good = SyntheticElf.WithNeeds("libstdc++.so.6", ("GLIBCXX_3.4.32", 0));
        byte[] bytes = kind switch
        {
            "not-elf" => "this is not a shared library"u8.ToArray(),
            "empty" => Array.Empty<byte>(),
            "truncated-header" => good[..40],
            "truncated-sections" => good[..(good.Length - 10)],
            "32-bit" => Modified(good, 4, 1),
            "big-endian" => Modified(good, 5, 2),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        string path = Write(kind + ".so", bytes);

        var error = Assert.Throws<ElfFormatException>(() => ElfVersionNeeds.MarkWeak(path, "GLIBCXX_3.4.32"));

        Assert.Contains(expected, error.Message);
        Assert.Contains(path, error.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir)); // no temp file left behind
    }

    [Fact]
    public void Real_libLibTorchSharp_gets_exactly_one_flag_flipped()
    {
        string? shim = TorchSharpShim.FindInPackageCache();
        Assert.True(shim != null, "TorchSharp's libLibTorchSharp.so is expected in the NuGet cache (the test project references TorchSharp-cpu).");
        var original = File.ReadAllBytes(shim!); // read only: the package cache is never written
        string copy = Write("libLibTorchSharp.so", original);

        var need = ElfVersionNeeds.ReadVersionNeeds(original, shim!).SingleOrDefault(n => n.Version == "GLIBCXX_3.4.32");
        Assert.NotNull(need);
        Assert.Equal("libstdc++.so.6", need!.Library);
        Assert.False(need.IsWeak);

        Assert.True(ElfVersionNeeds.MarkWeak(copy, "GLIBCXX_3.4.32"));

        var patched = File.ReadAllBytes(copy);
        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Equal(new[] { (int)need.FlagsOffset }, differing);
        Assert.Equal(original[need.FlagsOffset] | ElfVersionNeeds.WeakFlag, patched[need.FlagsOffset]);
    }

    private static byte[] Modified(byte[] source, int index, byte value)
    {
        var copy = (byte[])source.Clone();
        copy[index] = value;
        return copy;
    }
}

public sealed class SystemLibStdCxxTests
{
    [Fact]
    public void The_system_libstdcxx_is_found_and_its_versions_are_read()
    {
        string? path = SystemLibraries.FindLibStdCxx();
        Assert.True(path != null, "Linux machines of this project have /lib/x86_64-linux-gnu/libstdc++.so.6.");
        var versions = ElfVersionNeeds.ReadVersionDefinitions(File.ReadAllBytes(path!), path!);
        Assert.Contains("GLIBCXX_3.4", versions);
        Assert.Contains("CXXABI_1.3", versions);
    }
}
