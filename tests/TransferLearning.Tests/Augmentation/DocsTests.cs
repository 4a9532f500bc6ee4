namespace TransferLearning.Tests.Augmentation;

public sealed class AugmentationDocsTests
{
    [Fact]
    public void The_custom_augmentation_in_the_docs_is_the_one_the_tests_compile()
    {
        string root = TransferLearning.Tests.Support.RepositoryPaths.Root;
        string docs = File.ReadAllText(Path.Combine(root, "docs", "augmentation.md"));
        string source = File.ReadAllText(Path.Combine(root, "tests", "TransferLearning.Tests", "Augmentation", "InvertColours.cs"));
        string cls = source[source.IndexOf("/// <summary>A user's", StringComparison.Ordinal)..].Trim();
        Assert.Contains(cls, docs);
        Assert.Contains("new AugmentationPipeline(new RandomRotation(20), new InvertColours(), new SamplewiseCenter())", docs);
        Assert.Contains("new AugmentationPipeline(new RandomRotation(20), new InvertColours(), new SamplewiseCenter())", File.ReadAllText(Path.Combine(root, "tests", "TransferLearning.Tests", "Augmentation", "AugmentationPipelineTests.cs")));
    }
}
