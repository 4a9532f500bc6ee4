using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace FruitClassifier;

/// <summary>
/// Console logging that cooperates with Spectre.Console's live progress bars (a plain console logger would tear
/// them): each entry is one markup line written through <see cref="AnsiConsole"/>.
/// </summary>
internal sealed class SpectreLoggerProvider(LogLevel minimumLevel) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName[(categoryName.LastIndexOf('.') + 1)..], minimumLevel);

    public void Dispose() { }

    private sealed class Logger(string category, LogLevel minimumLevel) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimumLevel && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            string colour = logLevel switch
            {
                >= LogLevel.Error => "red",
                LogLevel.Warning => "yellow",
                LogLevel.Information => "grey",
                _ => "grey50",
            };
            string message = formatter(state, exception) + (exception is null ? "" : $" ({exception.Message})");
            AnsiConsole.MarkupLine($"[{colour}]{Markup.Escape($"{logLevel.ToString()[..4].ToLowerInvariant()}: {category}: {message}")}[/]");
        }
    }
}
