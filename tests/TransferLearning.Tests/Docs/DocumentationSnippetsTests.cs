using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

using TransferLearning.Tests.Support;

namespace TransferLearning.Tests.Docs;

/// <summary>
/// Every ```csharp block in README.md and docs/*.md compiles against the library: a block with a type declaration
/// is compiled as a file, any other block as a program of top-level statements.
/// </summary>
public sealed partial class DocumentationSnippetsTests
{
    private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);

    /// <summary>The global usings a new `dotnet new console` project has (ImplicitUsings enabled).</summary>
    private static readonly SyntaxTree ImplicitUsings = CSharpSyntaxTree.ParseText(
        "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
        "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;",
        new CSharpParseOptions(LanguageVersion.Latest), path: "ImplicitUsings.cs");

    public static TheoryData<string, int> Snippets()
    {
        var data = new TheoryData<string, int>();
        foreach (var (file, blocks) in AllSnippets())
            for (int i = 0; i < blocks.Count; i++) data.Add(file, i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void Compiles(string file, int index)
    {
        string code = AllSnippets().Single(s => s.File == file).Blocks[index];
        bool isProgram = !TypeDeclaration().IsMatch(code);
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: $"{file}#{index}");
        var compilation = CSharpCompilation.Create(
            "Snippet" + index,
            new[] { tree, ImplicitUsings },
            References.Value,
            new CSharpCompilationOptions(isProgram ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));
        using var output = new MemoryStream();
        var result = compilation.Emit(output);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(result.Success, $"Snippet {index} of {file} does not compile:\n{string.Join("\n", errors)}\n---\n{code}");
    }

    [Fact]
    public void The_docs_have_snippets_to_check()
    {
        Assert.Contains(AllSnippets(), s => s.File == "README.md" && s.Blocks.Count > 0);
    }

    private static List<(string File, List<string> Blocks)> AllSnippets()
    {
        string root = RepositoryPaths.Root;
        var files = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
        return files.Select(f => (Path.GetRelativePath(root, f).Replace('\\', '/'),
                                  CodeBlock().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value).ToList()))
                    .ToList();
    }

    private static MetadataReference[] LoadReferences()
    {
        // The runtime's own assemblies plus everything the test loaded next to it (the library and its dependencies).
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.GetFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileName(p).StartsWith("xunit", StringComparison.OrdinalIgnoreCase))
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First());
        var references = new List<MetadataReference>();
        foreach (string path in paths)
        {
            try
            {
                using var stream = File.OpenRead(path);
                using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
                if (!pe.HasMetadata) continue;
            }
            catch (BadImageFormatException) { continue; }
            references.Add(MetadataReference.CreateFromFile(path));
        }
        return references.ToArray();
    }

    [GeneratedRegex(@"^```(?:csharp|cs|c#)[ \t]*\r?\n(.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"^\s*(public |internal |sealed |static |file |abstract |partial )*(class|record|struct|interface|namespace)\s", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();
}
