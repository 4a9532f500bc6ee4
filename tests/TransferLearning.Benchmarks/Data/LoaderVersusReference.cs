using System.Diagnostics;
using System.Globalization;
using SkiaSharp;
using TransferLearning.Augmentation;
using TransferLearning.Data;
using TransferLearning.Imaging;

namespace TransferLearning.Benchmarks.Data;

/// <summary>
/// One command for the input-pipeline comparison: this library's loader, built exactly as the README quickstart builds
/// it (default decode options, 224 × 224, the seed's Keras augmentation with samplewise centring, batches of 32),
/// against torchvision's and a Keras-style pipeline (reference/*.py, Debian's python3-torchvision, python3-scipy and
/// python3-pil) on the same 1,000 generated 500 × 375 JPEGs. Every run is a fresh process, so its first epoch is a cold
/// start (threads or worker processes, JIT for .NET); the framework itself is loaded before the clock starts in both
/// (Python's <c>import torch</c>, libtorch's first use here), as in a training run, where the model exists before the
/// first batch is read. Runs are interleaved, repetition by repetition, and the summary gives medians per epoch and
/// their ratios. A fifth row is the library's loader with SkiaSharp's JPEG decoder, to show what the system
/// libjpeg-turbo (<see cref="JpegDecoder.Auto"/>) adds.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/TransferLearning.Benchmarks -- loader-vs-reference [repetitions] [epochs]</c>
/// </remarks>
internal static class LoaderVersusReference
{
    private sealed record Pipeline(string Name, string File, string[] Arguments);

    /// <summary>The child run: one loader, <paramref name="epochs"/> epochs, one line per epoch.</summary>
    public static void RunLibraryEpochs(string root, int workers, int epochs, JpegDecoder jpeg)
    {
        var start = Stopwatch.StartNew();
        TorchSharp.torch.zeros(1).Dispose(); // loads libtorch, as building the model would in a training program
        var dataset = DirectoryImageDataset.FromDirectory(root);
        var decode = new ImageDecodeOptions { TargetSize = new SKSizeI(224, 224) }; // the quickstart's: defaults otherwise
        if (jpeg != JpegDecoder.Auto)
            decode.JpegDecoder = jpeg;
        var augment = new KerasImageDataGenerator
        {
            RotationRange = 180, ZoomRange = 0.1, WidthShiftRange = 0.1, HeightShiftRange = 0.1,
            HorizontalFlip = true, VerticalFlip = true, SamplewiseCenter = true,
        }.ToPipeline();
        using var loader = ImageBatchLoader.ForTraining(dataset, new TrainingLoaderOptions { Decode = decode, Augmentation = augment, WorkerCount = workers });
        Console.WriteLine($"setup seconds {start.Elapsed.TotalSeconds:F4} fused {loader.FusesGeometricIntoDecode} libjpeg-turbo {(jpeg == JpegDecoder.SkiaSharp ? "off" : ImagePixelDecoder.LibJpegTurboLibrary ?? "absent")}");
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var watch = Stopwatch.StartNew();
            int count = 0;
            foreach (var batch in loader.ReadEpoch(epoch))
                using (batch)
                    count += batch.Count;
            Console.WriteLine($"epoch {epoch} images {count} seconds {watch.Elapsed.TotalSeconds:F4}");
        }
    }

    /// <summary>The comparison: <paramref name="repetitions"/> interleaved rounds of every pipeline.</summary>
    public static void Run(int repetitions, int epochs)
    {
        var root = BenchmarkImages.EnsureDataset();
        var self = Environment.ProcessPath!;
        var selfArguments = Path.GetFileNameWithoutExtension(self) == "dotnet" ? new[] { typeof(LoaderVersusReference).Assembly.Location } : Array.Empty<string>();
        var reference = Path.Combine(AppContext.BaseDirectory, "reference");
        string E(int n) => n.ToString(CultureInfo.InvariantCulture);
        // Debian's interpreter, where python3-torchvision installs (a python3 earlier on PATH may be another one).
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var runs = new List<Pipeline>
        {
            new("library, 2 workers", self, [.. selfArguments, "loader-epochs", root, "2", E(epochs)]),
            new("torchvision, 2 workers", python, [Path.Combine(reference, "torchvision_loader.py"), root, "2", E(epochs)]),
            new("library, 1 worker", self, [.. selfArguments, "loader-epochs", root, "1", E(epochs)]),
            new("Keras-style, 1 process", python, [Path.Combine(reference, "keras_style_loader.py"), root, E(Math.Min(epochs, 2))]),
            new("library, 2 workers, SkiaSharp JPEG", self, [.. selfArguments, "loader-epochs", root, "2", E(epochs), nameof(JpegDecoder.SkiaSharp)]),
        };
        Console.WriteLine($"system libjpeg-turbo: {ImagePixelDecoder.LibJpegTurboLibrary ?? "absent (apt-get install libturbojpeg0): the library rows decode with SkiaSharp"}");
        Console.WriteLine($"{BenchmarkImages.Count} JPEGs {BenchmarkImages.Width} x {BenchmarkImages.Height} in {root}; {repetitions} rounds, {epochs} epochs each, {Environment.ProcessorCount} cores");
        var rates = runs.ToDictionary(r => r.Name, _ => new List<double[]>());
        for (int round = 0; round < repetitions; round++)
            foreach (var run in runs)
            {
                var perEpoch = Execute(run);
                if (perEpoch is null)
                    continue;
                rates[run.Name].Add(perEpoch);
                Console.WriteLine($"round {round + 1} {run.Name}: {string.Join(" / ", perEpoch.Select(v => v.ToString("F0", CultureInfo.InvariantCulture)))} images/s");
            }

        Console.WriteLine();
        Console.WriteLine("| pipeline | first epoch (images/s, median) | later epochs (median) | rounds |");
        Console.WriteLine("|---|---:|---:|---:|");
        var medians = new Dictionary<string, (double First, double Later)>();
        foreach (var run in runs)
        {
            var list = rates[run.Name];
            if (list.Count == 0)
            {
                Console.WriteLine($"| {run.Name} | not run | | 0 |");
                continue;
            }
            double first = Median(list.Select(r => r[0]));
            double later = list.Any(r => r.Length > 1) ? Median(list.SelectMany(r => r.Skip(1))) : double.NaN;
            medians[run.Name] = (first, later);
            Console.WriteLine($"| {run.Name} | {first:F0} | {later:F0} | {list.Count} |");
        }
        void Ratio(string a, string b)
        {
            if (medians.TryGetValue(a, out var x) && medians.TryGetValue(b, out var y))
                Console.WriteLine($"{a} / {b}: first epoch {x.First / y.First:F2}x, later epochs {x.Later / y.Later:F2}x");
        }
        Console.WriteLine();
        Ratio("library, 2 workers", "torchvision, 2 workers");
        Ratio("library, 2 workers", "library, 1 worker");
        Ratio("library, 2 workers", "Keras-style, 1 process");
        Ratio("library, 2 workers", "library, 2 workers, SkiaSharp JPEG");
        Ratio("library, 2 workers, SkiaSharp JPEG", "torchvision, 2 workers");
        Ratio("torchvision, 2 workers", "Keras-style, 1 process");
    }

    /// <summary>Runs one pipeline in a fresh process; its images/s per epoch, or null when it could not run.</summary>
    private static double[]? Execute(Pipeline run)
    {
        var info = new ProcessStartInfo(run.File) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in run.Arguments)
            info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.WriteLine($"{run.Name}: cannot start {run.File} ({e.Message})");
            return null;
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            var lines = new List<string>();
            while (process.StandardOutput.ReadLine() is { } line)
                lines.Add(line);
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                var stderr = errors.Result.Trim();
                Console.WriteLine($"{run.Name}: exit code {process.ExitCode}: {stderr[Math.Max(0, stderr.Length - 400)..]}");
                if (run.File.EndsWith("python3", StringComparison.Ordinal))
                    Console.WriteLine("  (the references need Debian's python3-torchvision, python3-scipy and python3-pil: apt-get install them)");
                return null;
            }
            return lines.Where(l => l.StartsWith("epoch ", StringComparison.Ordinal)).Select(l =>
            {
                var p = l.Split(' ');
                return double.Parse(p[3], CultureInfo.InvariantCulture) / double.Parse(p[5], CultureInfo.InvariantCulture);
            }).ToArray();
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
