using TransferLearning.Augmentation;
using TransferLearning.Imaging;

namespace TransferLearning.Tests.Imaging;

/// <summary>The decode types that moved to TransferLearning.Imaging are forwarded from TransferLearning.dll, in their old namespaces.</summary>
public sealed class TypeForwardsTests
{
    [Fact]
    public void The_moved_public_types_are_forwarded_by_the_main_assembly()
    {
        var forwarded = typeof(ImageDecoder).Assembly.GetForwardedTypes();
        foreach (var type in new[] { typeof(ColorMode), typeof(ImageDecodeException), typeof(ImageDecodeOptions), typeof(ImageFileTypes), typeof(ImageHeader),
                     typeof(ImageTooLargeException), typeof(Interpolation), typeof(AffineInterpolation), typeof(AffineMatrix), typeof(FillMode), typeof(Resampling) })
        {
            Assert.Contains(type, forwarded);
            Assert.Equal("TransferLearning.Imaging", type.Assembly.GetName().Name);
        }
        Assert.Equal("TransferLearning.Imaging", typeof(ImagePixelDecoder).Namespace);
    }
}
