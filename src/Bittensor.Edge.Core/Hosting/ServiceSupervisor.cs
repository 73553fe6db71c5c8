// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Hosting;

/// <summary>Watches the long-running services of an executable (bte-node, bte-gateway): a clean stop or the first failure.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class ServiceSupervisor
{
    /// <summary>
    /// Waits until <paramref name="stopping"/> is cancelled (a clean stop: null) or one of <paramref name="running"/>
    /// faults (that service's name and exception). A service that ends normally before then simply leaves the watch
    /// (a follower node's block production returns at once).
    /// </summary>
    public static async Task<(string Service, Exception Error)?> WaitForStopOrFailureAsync(IReadOnlyList<(string Name, Task Task)> running, CancellationToken stopping)
    {
        ArgumentNullException.ThrowIfNull(running);
        TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = stopping.Register(() => stopped.TrySetResult());
        List<(string Name, Task Task)> active = [.. running];
        while (true)
        {
            Task done = await Task.WhenAny([stopped.Task, .. active.Select(s => s.Task)]).ConfigureAwait(false);
            if (done == stopped.Task)
            {
                return null;
            }

            (string name, Task task) = active.First(s => s.Task == done);
            active.RemoveAll(s => s.Task == done);
            if (task.IsFaulted)
            {
                return (name, task.Exception.GetBaseException());
            }
        }
    }
}
