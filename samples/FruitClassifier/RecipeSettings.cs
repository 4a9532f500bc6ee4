namespace FruitClassifier;

/// <summary>The sample's command-line settings; <c>null</c> epochs and rate mean the recipe's own.</summary>
internal sealed record RecipeSettings(
    DirectoryInfo? Data, string Backbone, string Weights, FileInfo? OnnxFile, string OnnxPreprocessing, string Recipe, int? HeadEpochs, int? FineTuneEpochs, double? FineTuneLearningRate,
    int BatchSize, int ImageSize, string Device, int Seed, DirectoryInfo Output, bool FindLearningRate, bool TestTimeAugmentation);
