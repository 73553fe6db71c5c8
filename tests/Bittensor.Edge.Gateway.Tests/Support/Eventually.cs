// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Gateway.Tests.Support;

/// <summary>Waits for a condition that another thread makes true (a log line, a registered delay), failing after 10 s.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition)
    {
        using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            // Yields to the broker and bus threads; the 10 s limit only bounds a failing test.
            await Task.Delay(5, limit.Token);
        }
    }
}
