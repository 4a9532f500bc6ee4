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
    Description = "Pretrained backbone: resnet18-onnx (ImageNet ResNet18 from the Microsoft.ML.DnnImageFeaturizer.ResNet18 package, works offline), " +
                  "or vgg16, resnet18/34/50/101, efficientnet_b0…b3, mobilenet_v3_small/large, convnext_tiny/small/base/large (native, torchvision layout; see --weights). " +
                  "--onnx FILE takes any other network.",
    DefaultValueFactory = _ => "resnet18-onnx",
};
backbone.AcceptOnlyFromAmong(BackboneChoice.Names);
var onnx = new Option<FileInfo?>("--onnx")
{
    Description = "An ONNX classification network (for example torchvision's, written by torch.onnx.export) as the backbone instead of --backbone: " +
                  "cut before its classifier's global pooling, one layer group per module.",
};
onnx.Validators.Add(r => { if (r.GetValueOrDefault<FileInfo?>() is { Exists: false } f) r.AddError($"--onnx: file '{f.FullName}' does not exist."); });
var onnxPreprocessing = new Option<string>("--onnx-preprocessing")
{
    Description = "What the --onnx network expects of 0..255 RGB pixels: imagenet (scaled to 0..1, ImageNet mean and standard deviation: torchvision, timm), " +
                  "caffe (BGR, ImageNet means subtracted) or none (0..255 RGB as it is).",
    DefaultValueFactory = _ => "imagenet",
};
onnxPreprocessing.AcceptOnlyFromAmong(BackboneChoice.OnnxPreprocessings);
var weights = new Option<string>("--weights")
{
    Description = "Weights of the native backbones: 'imagenet' (torchvision's DEFAULT ImageNet weights — IMAGENET1K_V2 for resnet50, resnet101, efficientnet_b1 " +
                  "and mobilenet_v3_large, IMAGENET1K_V1 for the others — downloaded once into the weights cache) or the path of a .pth, .safetensors or TorchSharp file.",
    DefaultValueFactory = _ => "imagenet",
};
var recipe = new Option<string>("--recipe")
{
    Description = "default: the library's default recipe (a short cached head phase, then one-cycle fine-tuning of the whole network with " +
                  "discriminative rates, label smoothing and mirror-image augmentation); keras: the seed's Keras recipe (Adam 1e-3 head, then RMSprop 1e-5, " +
                  "rotation 180 and both flips). --head-epochs, --fine-tune-epochs and --fine-tune-lr override either.",
    DefaultValueFactory = _ => "default",
};
recipe.AcceptOnlyFromAmong("default", "keras");
var headEpochs = new Option<int?>("--head-epochs") { Description = "Phase 1 epochs: backbone frozen, the new head trained on cached features. Default: the recipe's." };
var fineTuneEpochs = new Option<int?>("--fine-tune-epochs") { Description = "Phase 2 epochs: backbone unfrozen and fine-tuned. 0 skips the phase. Default: the recipe's." };
var fineTuneLr = new Option<double?>("--fine-tune-lr") { Description = "Phase 2 (peak) learning rate of the head and the deepest block. Default: the recipe's." };
var findLr = new Option<bool>("--find-lr") { Description = "Run the learning-rate range test (lr_find) for both phases, save lr-finder-*.png, print the suggested rates and stop." };
var noTta = new Option<bool>("--no-tta") { Description = "Skip the second evaluation with test-time augmentation (the image and its mirror image averaged)." };
var batchSize = new Option<int>("--batch-size") { Description = "Images per batch. Small batches suit small data sets: on the Fashion-MNIST benchmark 16 gave 84.6 % where 32 gave 81.2 % (docs/training.md).", DefaultValueFactory = _ => 16 };
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
    option.Validators.Add(r => { if (r.GetValueOrDefault<int?>() < 0) r.AddError($"{option.Name} must be 0 or more; got {r.GetValueOrDefault<int?>()}."); });
foreach (var option in new[] { batchSize, imageSize })
    option.Validators.Add(r => { if (r.GetValueOrDefault<int>() < 1) r.AddError($"{option.Name} must be 1 or more; got {r.GetValueOrDefault<int>()}."); });
fineTuneLr.Validators.Add(r => { if (r.GetValueOrDefault<double?>() is { } v && !(v > 0)) r.AddError($"--fine-tune-lr must be > 0; got {v}."); });

var root = new RootCommand("Trains an image classifier (by default a fresh/rotten fruit one) with the transfer-learning recipe on TransferLearning (TorchSharp + SkiaSharp).")
{
    data, backbone, weights, onnx, onnxPreprocessing, recipe, headEpochs, fineTuneEpochs, fineTuneLr, batchSize, imageSize, device, seed, output, findLr, noTta,
};
root.Validators.Add(r =>
{
    if (r.GetResult(onnx) is not null && r.GetResult(backbone) is { Implicit: false })
        r.AddError("Give either --backbone or --onnx, not both.");
});
root.SetAction((parse, cancellationToken) => Task.FromResult(Recipe.Run(new RecipeSettings(
    parse.GetValue(data), parse.GetValue(backbone)!, parse.GetValue(weights)!, parse.GetValue(onnx), parse.GetValue(onnxPreprocessing)!, parse.GetValue(recipe)!, parse.GetValue(headEpochs), parse.GetValue(fineTuneEpochs),
    parse.GetValue(fineTuneLr), parse.GetValue(batchSize), parse.GetValue(imageSize), parse.GetValue(device)!, parse.GetValue(seed),
    parse.GetValue(output)!, parse.GetValue(findLr), !parse.GetValue(noTta)), cancellationToken)));
return await root.Parse(args).InvokeAsync();
