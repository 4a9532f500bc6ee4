using System.Runtime.CompilerServices;
using TransferLearning.Augmentation;
using TransferLearning.Imaging;

// These public types moved to TransferLearning.Imaging (the decode core without TorchSharp), in the same namespaces.
// The forwards keep apps and libraries compiled against an earlier TransferLearning.dll working without a rebuild.
[assembly: TypeForwardedTo(typeof(ColorMode))]
[assembly: TypeForwardedTo(typeof(ImageDecodeException))]
[assembly: TypeForwardedTo(typeof(ImageDecodeOptions))]
[assembly: TypeForwardedTo(typeof(ImageFileTypes))]
[assembly: TypeForwardedTo(typeof(ImageHeader))]
[assembly: TypeForwardedTo(typeof(ImageTooLargeException))]
[assembly: TypeForwardedTo(typeof(Interpolation))]
[assembly: TypeForwardedTo(typeof(AffineInterpolation))]
[assembly: TypeForwardedTo(typeof(AffineMatrix))]
[assembly: TypeForwardedTo(typeof(FillMode))]
[assembly: TypeForwardedTo(typeof(Resampling))]
