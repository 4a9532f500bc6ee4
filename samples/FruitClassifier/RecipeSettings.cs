namespace FruitClassifier;

/// <summary>The sample's command-line settings.</summary>
internal sealed record RecipeSettings(
    DirectoryInfo? Data, string Backbone, string Weights, int HeadEpochs, int FineTuneEpochs, double FineTuneLearningRate,
    int BatchSize, int ImageSize, string Device, int Seed, DirectoryInfo Output);
