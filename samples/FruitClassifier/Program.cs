// The fruit classifier: the whole Keras transfer-learning recipe in C# — folder dataset → augmentation →
// pretrained backbone → two-phase training (frozen head training, then low-learning-rate fine-tuning) →
// evaluation → saved model, charts and a prediction.
//
//   dotnet run --project samples/FruitClassifier                 # built-in data, pretrained ResNet18 (offline)
//   dotnet run --project samples/FruitClassifier -- --help       # every option
using System.CommandLine;
using FruitClassifier;

PlainOutput.Configure(); // piped or redirected: plain, unwrapped lines

var data = new Option<DirectoryInfo?>("--data")
{
    Description = "Data folder: either train/ and valid/ sub-folders with one folder per class (the 'fruits fresh and rotten' layout), " +
                  "or one folder of class folders (then 20% of each class is held out for validation). Default: a small generated fruit set.",
};
var backbone = new Option<string>("--backbone")
{
    Description = "Pretrained backbone: resnet18-onnx (ImageNet ResNet18 from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package, works offline) or vgg16 (torchvision layout; see --weights).",
    DefaultValueFactory = _ => "resnet18-onnx",
};
backbone.AcceptOnlyFromAmong("resnet18-onnx", "vgg16");
var weights = new Option<string>("--weights")
{
    Description = "VGG16 weights: 'imagenet' (torchvision's IMAGENET1K_V1, downloaded once into the weights cache) or the path of a .pth, .safetensors or TorchSharp file.",
    DefaultValueFactory = _ => "imagenet",
};
var headEpochs = new Option<int>("--head-epochs") { Description = "Phase 1 epochs: backbone frozen, the new head trained with Adam at 1e-3.", DefaultValueFactory = _ => 4 };
var fineTuneEpochs = new Option<int>("--fine-tune-epochs") { Description = "Phase 2 epochs: backbone unfrozen, fine-tuned with RMSprop at --fine-tune-lr. 0 skips the phase.", DefaultValueFactory = _ => 2 };
var fineTuneLr = new Option<double>("--fine-tune-lr") { Description = "Phase 2 learning rate (the Keras recipe's 1e-5).", DefaultValueFactory = _ => 1e-5 };
var batchSize = new Option<int>("--batch-size") { Description = "Images per batch.", DefaultValueFactory = _ => 16 };
var imageSize = new Option<int>("--image-size") { Description = "Images are resized to SIZE x SIZE pixels (224 for full-size training; the ResNet18 export needs a multiple of 32).", DefaultValueFactory = _ => 128 };
var device = new Option<string>("--device") { Description = "auto (CUDA when available, else CPU), cpu or cuda.", DefaultValueFactory = _ => "auto" };
device.AcceptOnlyFromAmong("auto", "cpu", "cuda");
var seed = new Option<int>("--seed") { Description = "Seed for shuffling, augmentation, head initialisation and the generated data.", DefaultValueFactory = _ => 42 };
var output = new Option<DirectoryInfo>("--output")
{
    Description = "Folder for the model, charts, history and the augmentation preview.",
    DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("output", "fruit-classifier")),
};
foreach (var option in new[] { headEpochs, fineTuneEpochs })
    option.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 0) r.AddError($"{option.Name} must be 0 or more; got {r.GetValueOrDefault<int>()}."); });
foreach (var option in new[] { batchSize, imageSize })
    option.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"{option.Name} must be 1 or more; got {r.GetValueOrDefault<int>()}."); });
fineTuneLr.Validators.Add(r => { if (!(r.GetValueOrDefault<double>() > 0)) r.AddError($"--fine-tune-lr must be > 0; got {r.GetValueOrDefault<double>()}."); });

var root = new RootCommand("Trains a fresh/rotten fruit classifier with the Keras transfer-learning recipe on TransferLearning (TorchSharp + SkiaSharp).")
{
    data, backbone, weights, headEpochs, fineTuneEpochs, fineTuneLr, batchSize, imageSize, device, seed, output,
};
root.SetAction((parse, cancellationToken) => Task.FromResult(Recipe.Run(new RecipeSettings(
    parse.GetValue(data), parse.GetValue(backbone)!, parse.GetValue(weights)!, parse.GetValue(headEpochs), parse.GetValue(fineTuneEpochs),
    parse.GetValue(fineTuneLr), parse.GetValue(batchSize), parse.GetValue(imageSize), parse.GetValue(device)!, parse.GetValue(seed),
    parse.GetValue(output)!), cancellationToken)));
return await root.Parse(args).InvokeAsync();
