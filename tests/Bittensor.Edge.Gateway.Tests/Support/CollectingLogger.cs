// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Gateway.Tests.Support;

/// <summary>A logger that keeps every line, so a test can assert that a refusal was logged.</summary>
internal sealed class CollectingLogger : ILogger
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _lines = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue((logLevel, formatter(state, exception) + (exception is null ? "" : " " + exception.Message)));

    public bool Contains(string text) => _lines.Any(l => l.Message.Contains(text, StringComparison.Ordinal));

    public int Count(string text) => _lines.Count(l => l.Message.Contains(text, StringComparison.Ordinal));

    /// <summary>Errors (operator must act) other than the expected ones; a test that provokes none asserts this is empty.</summary>
    public IEnumerable<string> Errors => _lines.Where(l => l.Level >= LogLevel.Error).Select(l => l.Message);
}
