// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Telemetry.Tests.Infrastructure;

/// <summary>Collects log lines so a test can assert on them.</summary>
public sealed class ListLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();
    private readonly Lock _lock = new();
    private readonly List<(LogLevel Level, string Fragment, TaskCompletionSource Done)> _waiters = [];

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => [.. _lines];

    public bool Contains(LogLevel level, string fragment) =>
        Lines.Any(l => l.Level == level && l.Message.Contains(fragment, StringComparison.Ordinal));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    /// <summary>Completes when a line at <paramref name="level"/> containing <paramref name="fragment"/> has been logged.</summary>
    public Task WaitForAsync(LogLevel level, string fragment)
    {
        lock (_lock)
        {
            if (Contains(level, fragment))
            {
                return Task.CompletedTask;
            }

            TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((level, fragment, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        string line = formatter(state, exception) + (exception is null ? "" : " | " + exception.Message);
        lock (_lock)
        {
            _lines.Enqueue((logLevel, line));
            _waiters.RemoveAll(w =>
            {
                if (w.Level == logLevel && line.Contains(w.Fragment, StringComparison.Ordinal))
                {
                    w.Done.TrySetResult();
                    return true;
                }

                return false;
            });
        }
    }
}
