using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TransferLearning.Training;

/// <summary>The metrics of every epoch of both phases, in order; exports JSON and CSV (PNG charts: <c>TransferLearning.Reporting.TrainingCharts</c>).</summary>
public sealed class TrainingHistory
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly List<EpochMetrics> _epochs;

    /// <summary>Creates a history.</summary>
    /// <param name="classNames">The classes of the model.</param>
    /// <param name="epochs">Epochs already recorded (copied).</param>
    public TrainingHistory(IReadOnlyList<string> classNames, IEnumerable<EpochMetrics>? epochs = null)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        ClassNames = classNames.ToArray();
        _epochs = epochs?.ToList() ?? new List<EpochMetrics>();
    }

    /// <summary>Class names in index order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Every recorded epoch, in order.</summary>
    public IReadOnlyList<EpochMetrics> Epochs => _epochs;

    /// <summary>The epochs of one phase.</summary>
    public IReadOnlyList<EpochMetrics> Of(TrainingPhase phase) => _epochs.Where(e => e.Phase == phase).ToArray();

    internal void Add(EpochMetrics metrics) => _epochs.Add(metrics);

    /// <summary>
    /// The best epoch by <paramref name="metric"/> (lowest loss or highest accuracy; the validation value, or the training
    /// value for epochs without validation), optionally within one phase; the first of equals; <c>null</c> when there is none.
    /// </summary>
    /// <param name="metric">What "best" means.</param>
    /// <param name="phase">Only this phase's epochs, or <c>null</c> for all. Default <c>null</c>.</param>
    public EpochMetrics? Best(MonitoredMetric metric, TrainingPhase? phase = null)
    {
        EpochMetrics? best = null;
        foreach (var e in _epochs)
        {
            if (phase is { } p && e.Phase != p) continue;
            if (best is null || IsBetter(metric, e, best)) best = e;
        }
        return best;
    }

    private static bool IsBetter(MonitoredMetric metric, EpochMetrics candidate, EpochMetrics best) => metric == MonitoredMetric.ValidationAccuracy
        ? (candidate.ValidationAccuracy ?? candidate.TrainAccuracy) > (best.ValidationAccuracy ?? best.TrainAccuracy)
        : (candidate.ValidationLoss ?? candidate.TrainLoss) < (best.ValidationLoss ?? best.TrainLoss);

    /// <summary>The history as indented JSON (<c>{ "classNames": [...], "epochs": [...] }</c>, enums as names).</summary>
    public string ToJson() => JsonSerializer.Serialize(new Document(ClassNames.ToArray(), _epochs.ToArray()), Json);

    /// <summary>Reads a history written by <see cref="ToJson"/>.</summary>
    public static TrainingHistory FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var document = JsonSerializer.Deserialize<Document>(json, Json) ?? throw new FormatException("The JSON holds no training history.");
        return new TrainingHistory(document.ClassNames ?? Array.Empty<string>(), document.Epochs ?? Array.Empty<EpochMetrics>());
    }

    /// <summary>
    /// One header line, then one line per epoch: <c>phase,epoch,global_epoch,learning_rate,train_loss,train_accuracy,
    /// train_top_k_accuracy,val_loss,val_accuracy,val_top_k_accuracy,top_k,from_feature_cache,seconds,images_per_second</c>
    /// (invariant culture; empty cells where there was no validation).
    /// </summary>
    public string ToCsv()
    {
        var csv = new StringBuilder("phase,epoch,global_epoch,learning_rate,train_loss,train_accuracy,train_top_k_accuracy,val_loss,val_accuracy,val_top_k_accuracy,top_k,from_feature_cache,seconds,images_per_second\n");
        foreach (var e in _epochs)
        {
            csv.AppendJoin(',', e.Phase, F(e.Epoch), F(e.GlobalEpoch), F(e.LearningRate), F(e.TrainLoss), F(e.TrainAccuracy), F(e.TrainTopKAccuracy),
                F(e.ValidationLoss), F(e.ValidationAccuracy), F(e.ValidationTopKAccuracy), F(e.TopK), e.FromFeatureCache ? "true" : "false", F(e.Seconds), F(e.ImagesPerSecond));
            csv.Append('\n');
        }
        return csv.ToString();
    }

    /// <summary>Writes <see cref="ToJson"/> to a file.</summary>
    public void SaveJson(string path) => File.WriteAllText(path, ToJson());

    /// <summary>Writes <see cref="ToCsv"/> to a file.</summary>
    public void SaveCsv(string path) => File.WriteAllText(path, ToCsv());

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string F(double? value) => value is { } v ? F(v) : "";

    private static string F(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record Document(string[]? ClassNames, EpochMetrics[]? Epochs);
}
