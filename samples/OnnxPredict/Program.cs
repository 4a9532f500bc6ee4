// OnnxPredict: classify images with a model written by TransferTrainer.ExportOnnx, without TorchSharp.
//
//   dotnet run --project samples/OnnxPredict -- --model fruit-classifier.onnx photo.jpg more-photos/
//
// One line per image on stdout: path<TAB>class<TAB>probability. A bad model file, a bad image or bad arguments give a
// one-line error on stderr and a nonzero exit code (2: usage, 3: model, 4: an image); good images are still printed.
using System.Globalization;
using TransferLearning.Imaging;
using TransferLearning.OnnxRuntime;

const string Usage = "usage: OnnxPredict --model FILE.onnx PATH... (PATH: image files or folders of images)";

string? modelPath = null;
var inputs = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--model" or "-m" when i + 1 < args.Length:
            modelPath = args[++i];
            break;
        case "--help" or "-h":
            Console.WriteLine(Usage);
            return 0;
        case var option when option.StartsWith('-'):
            return Fail(2, $"unknown option '{option}'. {Usage}");
        default:
            inputs.Add(args[i]);
            break;
    }
}
if (modelPath is null || inputs.Count == 0) return Fail(2, Usage);

var files = new List<string>();
foreach (var input in inputs)
{
    if (Directory.Exists(input))
        files.AddRange(Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories)
            .Where(f => ImageFileTypes.DefaultExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal));
    else files.Add(input);
}
if (files.Count == 0) return Fail(2, $"no image files ({string.Join(", ", ImageFileTypes.DefaultExtensions)}) in {string.Join(", ", inputs)}.");

OnnxImageClassifier classifier;
try
{
    classifier = new OnnxImageClassifier(modelPath);
}
catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
{
    return Fail(3, OneLine(e.Message));
}

int exitCode = 0;
using (classifier)
{
    foreach (var chunk in files.Chunk(32))
    {
        IReadOnlyList<Prediction> predictions;
        try
        {
            predictions = classifier.Predict(chunk);
        }
        catch (ImageDecodeException)
        {
            // Find the bad files of this chunk one by one; the others are still classified.
            var good = new List<Prediction>();
            foreach (var file in chunk)
            {
                try
                {
                    good.Add(classifier.Predict(file));
                }
                catch (ImageDecodeException e)
                {
                    exitCode = Fail(4, OneLine(e.Message));
                }
            }
            predictions = good;
        }
        foreach (var p in predictions)
            Console.WriteLine($"{p.Source}\t{p.ClassName}\t{p.Confidence.ToString("0.0000", CultureInfo.InvariantCulture)}");
    }
}
return exitCode;

static int Fail(int code, string message)
{
    Console.Error.WriteLine($"error: {message}");
    return code;
}

static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
