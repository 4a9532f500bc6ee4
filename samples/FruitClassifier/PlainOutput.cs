using Spectre.Console;

namespace FruitClassifier;

/// <summary>
/// Output for pipes, files and CI logs. Spectre.Console wraps every line at 80 columns when it cannot ask a terminal for
/// its width (a path or an error message broken over several lines) and draws live progress bars; when standard output
/// is redirected the sample writes plain text instead: no colours, no live widgets, no wrapping.
/// </summary>
internal static class PlainOutput
{
    /// <summary>The line width used when redirected: wide enough that no line of the sample is ever wrapped.</summary>
    internal const int RedirectedWidth = 4096;

    /// <summary>Whether standard output is redirected (then <see cref="Configure"/> switched to plain text).</summary>
    public static bool IsRedirected => Console.IsOutputRedirected;

    /// <summary>Switches <see cref="AnsiConsole"/> to plain, unwrapped text when standard output is redirected.</summary>
    public static void Configure()
    {
        if (!IsRedirected) return;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        console.Profile.Width = RedirectedWidth;
        AnsiConsole.Console = console;
    }
}
