using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace TransferLearning.Imaging;

/// <summary>
/// The system's libjpeg-turbo through its TurboJPEG C API (<c>tjInitDecompress</c>, <c>tjDecompressHeader3</c>,
/// <c>tjDecompress2</c>, present since libjpeg-turbo 1.4), loaded at run time when it is there: Debian/Ubuntu
/// <c>libturbojpeg0</c>, Fedora <c>turbojpeg</c>, Homebrew <c>jpeg-turbo</c>, or <c>turbojpeg.dll</c> on the DLL search
/// path. SkiaSharp's own libjpeg-turbo is built without the SIMD code (its profile shows the plain C
/// <c>jpeg_idct_islow</c>, <c>ycc_rgb_convert</c> and <c>h2v2_fancy_upsample</c>); the system build has it and decodes
/// the same pixels: libjpeg-turbo's SIMD IDCT, colour conversion and upsampling are exact.
/// </summary>
/// <remarks>
/// A decompressor handle is not thread-safe, so handles are pooled: a thread rents one per decode. Handles are kept
/// for the life of the process (a few kilobytes each, at most one per concurrent decode).
/// </remarks>
internal static unsafe class TurboJpeg
{
    private const int PixelFormatRgbx = 7; // TJPF_RGBX: the X byte is written as 0xFF
    private const int FlagAccurateDct = 4096; // TJFLAG_ACCURATEDCT: the integer "islow" IDCT, as Skia's decoder uses
    private const int ColorspaceCmyk = 3, ColorspaceYcck = 4; // TJCS_CMYK, TJCS_YCCK: SkiaSharp converts these

    private static readonly string[] Candidates = OperatingSystem.IsWindows() ? ["turbojpeg.dll", "turbojpeg"]
        : OperatingSystem.IsMacOS() ? ["libturbojpeg.0.dylib", "libturbojpeg.dylib", "/opt/homebrew/opt/jpeg-turbo/lib/libturbojpeg.dylib", "/usr/local/opt/jpeg-turbo/lib/libturbojpeg.dylib"]
        : ["libturbojpeg.so.0", "libturbojpeg.so"];

    private static readonly Api? s_api = Load();
    private static readonly ConcurrentBag<IntPtr> s_handles = new();

    private sealed class Api
    {
        public required string Library { get; init; }
        public required delegate* unmanaged<IntPtr> InitDecompress { get; init; }
        public required delegate* unmanaged<IntPtr, byte*, nuint, int*, int*, int*, int*, int> DecompressHeader3 { get; init; }
        public required delegate* unmanaged<IntPtr, byte*, nuint, byte*, int, int, int, int, int, int> Decompress2 { get; init; }
    }

    /// <summary>The library name that loaded, or null when no libjpeg-turbo with the TurboJPEG API was found.</summary>
    public static string? Library => s_api?.Library;

    /// <summary>The library names tried, in order (for error messages).</summary>
    public static IReadOnlyList<string> CandidateNames => Candidates;

    private static Api? Load()
    {
        foreach (var name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, typeof(TurboJpeg).Assembly, null, out var library))
                continue;
            if (NativeLibrary.TryGetExport(library, "tjInitDecompress", out var init)
                && NativeLibrary.TryGetExport(library, "tjDecompressHeader3", out var header)
                && NativeLibrary.TryGetExport(library, "tjDecompress2", out var decompress))
            {
                return new Api
                {
                    Library = name,
                    InitDecompress = (delegate* unmanaged<IntPtr>)init,
                    DecompressHeader3 = (delegate* unmanaged<IntPtr, byte*, nuint, int*, int*, int*, int*, int>)header,
                    Decompress2 = (delegate* unmanaged<IntPtr, byte*, nuint, byte*, int, int, int, int, int, int>)decompress,
                };
            }
            NativeLibrary.Free(library);
        }
        return null;
    }

    /// <summary>
    /// Decodes <paramref name="jpeg"/> into RGBA8888 (alpha 255) at exactly <paramref name="width"/> ×
    /// <paramref name="height"/> — the stored size or a DCT-scaled n/8 one — or returns false, having written nothing
    /// that matters, when the library is absent, the file is CMYK/YCCK, the stored size is not
    /// <paramref name="storedWidth"/> × <paramref name="storedHeight"/>, the size is not an n/8 scale of it, or the
    /// library reports an error or a warning (a truncated or corrupt file): the caller then decodes with SkiaSharp,
    /// which names the problem.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> jpeg, int storedWidth, int storedHeight, IntPtr destination, int width, int height, int rowBytes)
    {
        var api = s_api;
        if (api is null || jpeg.IsEmpty)
            return false;
        if ((width != storedWidth || height != storedHeight) && (storedWidth < 8 || storedHeight < 8 || !IsEighthScale(storedWidth, storedHeight, width, height)))
            return false;
        if (!s_handles.TryTake(out var handle))
        {
            handle = api.InitDecompress();
            if (handle == IntPtr.Zero)
                return false;
        }
        try
        {
            fixed (byte* source = jpeg)
            {
                int w, h, subsampling, colorspace;
                if (api.DecompressHeader3(handle, source, (nuint)jpeg.Length, &w, &h, &subsampling, &colorspace) != 0)
                    return false;
                if (w != storedWidth || h != storedHeight || colorspace is ColorspaceCmyk or ColorspaceYcck)
                    return false;
                // A non-zero result is an error or a warning (e.g. "premature end of data"): SkiaSharp decides then.
                return api.Decompress2(handle, source, (nuint)jpeg.Length, (byte*)destination, width, rowBytes, height, PixelFormatRgbx, FlagAccurateDct) == 0;
            }
        }
        finally
        {
            s_handles.Add(handle);
        }
    }

    /// <summary>
    /// Whether width × height is libjpeg's n/8 scale of the stored size (each side rounded up) for some n in 1..7. From
    /// 8 pixels on each side n is unique, so the factor TurboJPEG picks (the largest that fits) is the one SkiaSharp used.
    /// </summary>
    private static bool IsEighthScale(int storedWidth, int storedHeight, int width, int height)
    {
        for (int n = 1; n < 8; n++)
            if (width == (storedWidth * n + 7) / 8 && height == (storedHeight * n + 7) / 8)
                return true;
        return false;
    }
}
