// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Node.Tests.Validator;

/// <summary>Collects every log line and lets a test await the first one that matches, without polling or sleeping.</summary>
public sealed class LogWaiter : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    /// <summary>Every line so far, joined by newlines.</summary>
    public string Text
    {
        get
        {
            lock (_lock)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    /// <summary>Completes with the first line (past or future) containing <paramref name="fragment"/>.</summary>
    public Task<string> WaitForAsync(string fragment, CancellationToken cancellationToken)
    {
        Func<string, bool> match = line => line.Contains(fragment, StringComparison.Ordinal);
        TaskCompletionSource<string> seen = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            string? earlier = _lines.Find(l => match(l));
            if (earlier is not null)
            {
                seen.SetResult(earlier);
            }
            else
            {
                _waiters.Add((match, seen));
            }
        }

        return seen.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => new Collector(this);

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private void Add(string line)
    {
        lock (_lock)
        {
            _lines.Add(line);
            foreach ((Func<string, bool> match, TaskCompletionSource<string> seen) in _waiters.Where(w => w.Match(line)).ToArray())
            {
                seen.TrySetResult(line);
                _waiters.RemoveAll(w => w.Seen == seen);
            }
        }
    }

    private sealed class Collector(LogWaiter owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
