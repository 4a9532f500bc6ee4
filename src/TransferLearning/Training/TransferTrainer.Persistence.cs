using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using TransferLearning.Backbones;
using TransferLearning.Native;
using static TorchSharp.torch;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    private const string InfoEntry = "model.json";
    private const string BackboneEntry = "backbone.dat";
    private const string HeadEntry = "head.dat";
    private const string CheckpointEntry = "checkpoint.json";
    private const string OptimizerEntry = "optimizer.dat";
    private const string BestHeadEntry = "best-head.dat";
    private const string BestBackboneEntry = "best-backbone.dat";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>What the model file says about itself (for <see cref="Load"/>'s backbone factory).</summary>
    public ModelInfo Info => new()
    {
        BackboneName = _backbone.Name,
        OutputChannels = _backbone.OutputChannels,
        Pooling = _backbone.Pooling,
        FeatureLength = FeatureLength,
        Dropout = _options.Dropout,
        ClassNames = _classNames.ToArray(),
        InputHeight = _inputSize?.Height ?? 0,
        InputWidth = _inputSize?.Width ?? 0,
        Input = InputContract,
        PreprocessingName = _backbone.Preprocessing.Name,
        ChannelOrder = _backbone.Preprocessing.ChannelOrder,
        Scale = _backbone.Preprocessing.Scale,
        Mean = _backbone.Preprocessing.Mean.ToArray(),
        Std = _backbone.Preprocessing.Std.ToArray(),
    };

    /// <summary>
    /// Saves the whole model to one file (a zip: <c>model.json</c> with class names, backbone name, preprocessing and
    /// <see cref="InputContract"/>; <c>backbone.dat</c> and <c>head.dat</c> in TorchSharp's state-dict format). Written to a temporary
    /// file first and renamed, so an existing file is never left half-written.
    /// </summary>
    /// <param name="path">The file to write (conventionally <c>.tlmodel</c>).</param>
    public void Save(string path)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        WriteAtomically(path, zip => WriteModel(zip));
    }

    /// <summary>Reads the description stored in a model or checkpoint file without loading weights.</summary>
    /// <param name="path">A file written by <see cref="Save"/> or a checkpoint.</param>
    public static ModelInfo ReadInfo(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var zip = OpenZip(path);
        return ReadInfo(zip, path);
    }

    /// <summary>
    /// Loads a model saved with <see cref="Save"/> (or a checkpoint). The architecture comes from
    /// <paramref name="backboneFactory"/>, which receives the stored <see cref="ModelInfo"/> and returns a backbone of that
    /// kind (its weights are then overwritten), for example <c>info =&gt; Vgg16.Create(...)</c>. The trainer owns the backbone.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="backboneFactory">Builds the backbone named by <see cref="ModelInfo.BackboneName"/>; its name, channels, pooling and preprocessing must match the file.</param>
    /// <param name="options">Settings for further training or prediction (the file's dropout and input size win); <c>null</c> for the defaults.</param>
    /// <param name="logger">Receives one line per epoch of further training; <c>null</c> for none.</param>
    public static TransferTrainer Load(string path, Func<ModelInfo, PretrainedBackbone> backboneFactory, TransferTrainerOptions? options = null, ILogger<TransferTrainer>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(backboneFactory);
        TorchNative.EnsureLoaded();
        using var zip = OpenZip(path);
        var info = ReadInfo(zip, path);
        var backbone = backboneFactory(info) ?? throw new InvalidOperationException($"The backbone factory returned null for '{info.BackboneName}'.");
        TransferTrainer? trainer = null;
        try
        {
            CheckBackbone(backbone, info, path);
            var effective = (options ?? new TransferTrainerOptions()) with
            {
                Dropout = info.Dropout,
                InputSize = info.InputHeight > 0 && info.InputWidth > 0 ? (info.InputHeight, info.InputWidth) : options?.InputSize,
            };
            trainer = new TransferTrainer(backbone, info.ClassNames, effective, logger, ownsBackbone: true);
            if (info.Input is { } input) trainer._decode = input.ToDecodeOptions();
            LoadModule(zip, BackboneEntry, backbone, path);
            LoadModule(zip, HeadEntry, trainer._head, path);
            backbone.Freeze();
            backbone.eval();
            trainer._head.eval();
            return trainer;
        }
        catch
        {
            if (trainer != null) trainer.Dispose();
            else backbone.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Restores the weights, history and position (phase, epoch, optimizer state, schedule and early-stopping state) of a
    /// checkpoint written during <see cref="Fit(Data.IImageBatchSource, Data.IImageBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/>; the next <see cref="Fit(Data.IImageBatchSource, Data.IImageBatchSource?, IProgress{TrainingProgress}?, CancellationToken)"/> continues from there with the options of
    /// this trainer. On the CPU a resumed run gives the same history as an uninterrupted one.
    /// </summary>
    /// <param name="checkpointPath">A checkpoint file (<see cref="TransferTrainerOptions.CheckpointPath"/>).</param>
    public void ResumeFrom(string checkpointPath)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointPath);
        using var zip = OpenZip(checkpointPath);
        var info = ReadInfo(zip, checkpointPath);
        if (!info.ClassNames.SequenceEqual(_classNames))
            throw new InvalidDataException($"Checkpoint {checkpointPath} has classes [{string.Join(", ", info.ClassNames)}] but this trainer has [{string.Join(", ", _classNames)}].");
        CheckBackbone(_backbone, info, checkpointPath);
        var entry = zip.GetEntry(CheckpointEntry) ?? throw new InvalidDataException($"{checkpointPath} is a model file, not a checkpoint (no {CheckpointEntry}).");
        CheckpointDocument document;
        using (var reader = new StreamReader(entry.Open(), Encoding.UTF8))
            document = JsonSerializer.Deserialize<CheckpointDocument>(reader.ReadToEnd(), Json) ?? throw new InvalidDataException($"{checkpointPath}: {CheckpointEntry} is empty.");
        var phaseOptions = document.Phase == TrainingPhase.Head ? _options.HeadPhase : _options.FineTunePhase;
        if (document.EpochsCompleted > phaseOptions.Epochs)
            throw new InvalidOperationException($"Checkpoint {checkpointPath} completed {document.EpochsCompleted} epochs of phase {document.Phase} but this trainer's options plan {phaseOptions.Epochs}.");
        LoadModule(zip, BackboneEntry, _backbone, checkpointPath);
        LoadModule(zip, HeadEntry, _head, checkpointPath);
        var state = document.State ?? new PhaseState();
        if (zip.GetEntry(BestHeadEntry) != null)
            state.Best = new ModelSnapshot(ReadBytes(zip, BestHeadEntry, checkpointPath), zip.GetEntry(BestBackboneEntry) != null ? ReadBytes(zip, BestBackboneEntry, checkpointPath) : null);
        if (info.InputHeight > 0) _inputSize ??= (info.InputHeight, info.InputWidth);
        if (info.Input is { } input) _decode ??= input.ToDecodeOptions();
        var history = TrainingHistory.FromJson(document.History ?? "{}");
        _resume = new ResumeState(document.Phase, document.EpochsCompleted, document.PhaseFinished, state,
            zip.GetEntry(OptimizerEntry) != null ? ReadBytes(zip, OptimizerEntry, checkpointPath) : Array.Empty<byte>(), new TrainingHistory(_classNames, history.Epochs));
        History = _resume.History;
        _logger.LogInformation("Resuming from {Path}: phase {Phase}, {Epochs} epochs completed.", checkpointPath, document.Phase, document.EpochsCompleted);
    }

    private sealed record ResumeState(TrainingPhase Phase, int EpochsCompleted, bool PhaseFinished, PhaseState State, byte[] OptimizerState, TrainingHistory History);

    private sealed record CheckpointDocument(TrainingPhase Phase, int EpochsCompleted, bool PhaseFinished, PhaseState? State, string? History);

    internal void WriteCheckpoint(string path, TrainingPhase phase, int epochsCompleted, bool phaseFinished, OptimizerHelper optimizer, PhaseState state, TrainingHistory history)
    {
        WriteAtomically(path, zip =>
        {
            WriteModel(zip);
            WriteText(zip, CheckpointEntry, JsonSerializer.Serialize(new CheckpointDocument(phase, epochsCompleted, phaseFinished, state, history.ToJson()), Json));
            using (var stream = zip.CreateEntry(OptimizerEntry, CompressionLevel.NoCompression).Open())
            using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
                optimizer.save_state_dict(writer);
            if (state.Best is { } best)
            {
                WriteBytes(zip, BestHeadEntry, best.Head);
                if (best.Backbone != null) WriteBytes(zip, BestBackboneEntry, best.Backbone);
            }
        });
    }

    private void WriteModel(ZipArchive zip)
    {
        WriteText(zip, InfoEntry, JsonSerializer.Serialize(Info, Json));
        WriteBytes(zip, BackboneEntry, Serialize(_backbone));
        WriteBytes(zip, HeadEntry, Serialize(_head));
    }

    internal ModelSnapshot Snapshot(bool includeBackbone) => new(Serialize(_head), includeBackbone ? Serialize(_backbone) : null);

    internal void Restore(ModelSnapshot snapshot)
    {
        Deserialize(_head, snapshot.Head);
        if (snapshot.Backbone != null) Deserialize(_backbone, snapshot.Backbone);
    }

    private static byte[] Serialize(nn.Module module)
    {
        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, Encoding.UTF8, leaveOpen: true)) module.save(writer);
        return memory.ToArray();
    }

    private static void Deserialize(nn.Module module, byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        using var _ = no_grad();
        module.load(reader, strict: true);
    }

    private static void LoadModule(ZipArchive zip, string entry, nn.Module module, string path)
    {
        try
        {
            Deserialize(module, ReadBytes(zip, entry, path));
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"{path}: the weights in {entry} do not fit the {module.GetName()} built for it: {e.Message}", e);
        }
    }

    private static void CheckBackbone(PretrainedBackbone backbone, ModelInfo info, string path)
    {
        if (backbone.Name != info.BackboneName)
            throw new InvalidDataException($"{path} holds a '{info.BackboneName}' backbone but the factory built '{backbone.Name}'.");
        if (backbone.OutputChannels != info.OutputChannels || backbone.Pooling != info.Pooling)
            throw new InvalidDataException($"{path} expects {info.OutputChannels} channels with {info.Pooling} pooling; the backbone has {backbone.OutputChannels} with {backbone.Pooling}.");
        if (!info.PreprocessingMatches(backbone.Preprocessing))
            throw new InvalidDataException($"{path} was trained with preprocessing '{info.PreprocessingName}' ({info.ChannelOrder}, scale {info.Scale}, mean [{string.Join(", ", info.Mean)}], std [{string.Join(", ", info.Std)}]) but the backbone uses '{backbone.Preprocessing.Name}'; build the backbone with info.CreatePreprocessing().");
    }

    private static ZipArchive OpenZip(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file not found: {path}", path);
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path} is not a TransferLearning model file (not a zip archive).", e);
        }
    }

    private static ModelInfo ReadInfo(ZipArchive zip, string path)
    {
        var entry = zip.GetEntry(InfoEntry) ?? throw new InvalidDataException($"{path} is not a TransferLearning model file (no {InfoEntry}).");
        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        ModelInfo info;
        try
        {
            info = JsonSerializer.Deserialize<ModelInfo>(reader.ReadToEnd(), Json) ?? throw new InvalidDataException($"{path}: {InfoEntry} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is damaged: its {InfoEntry} is not valid JSON ({e.Message}).", e);
        }
        if (info.FormatVersion != 1) throw new InvalidDataException($"{path} has format version {info.FormatVersion}; this library reads version 1.");
        return info;
    }

    private static byte[] ReadBytes(ZipArchive zip, string name, string path)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"{path} has no {name} entry.");
        using var stream = entry.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    private static void WriteText(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name, CompressionLevel.Optimal).Open(), new UTF8Encoding(false));
        writer.Write(text);
    }

    private static void WriteBytes(ZipArchive zip, string name, byte[] bytes)
    {
        using var stream = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
        stream.Write(bytes);
    }

    /// <summary>Writes a zip next to <paramref name="path"/> and renames it over <paramref name="path"/> (atomic on one file system).</summary>
    private static void WriteAtomically(string path, Action<ZipArchive> write)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string prefix = $".{Path.GetFileName(full)}.";
        RemoveStaleTemporaries(directory, prefix);
        string temporary = Path.Combine(directory, $"{prefix}{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true)) write(zip);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// Deletes temporary files of the same target left by a process killed while saving (older than a minute, so a
    /// concurrent save of the same file in progress is left alone).
    /// </summary>
    private static void RemoveStaleTemporaries(string directory, string prefix)
    {
        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*.tmp"))
        {
            try
            {
                if (File.GetLastWriteTimeUtc(file) < DateTime.UtcNow.AddMinutes(-1)) File.Delete(file);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
