// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using System.Globalization;
using Bittensor.Edge.Telemetry.Tests.Infrastructure;

namespace Bittensor.Edge.Telemetry.Tests.Publishing;

/// <summary>A process killed (SIGKILL) after its outbox write and before any send loses nothing.</summary>
public sealed class KillTests
{
    private static readonly string s_host = Path.Combine(AppContext.BaseDirectory, "Bittensor.Edge.Telemetry.CrashHost.dll");

    [Fact]
    public async Task Killed_between_outbox_write_and_send_the_next_run_delivers_everything_once()
    {
        await using TestBroker broker = await TestBroker.StartAsync();
        string dir = Directory.CreateTempSubdirectory("bte-telemetry-kill-").FullName;
        // The host samples on the real clock, so its samples must be recent (older than 7 days are dropped).
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        ProcessStartInfo start = new(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The broker it is given is a port nobody listens on: everything stays queued.
        foreach (string arg in new[] { "exec", s_host, dir, $"mqtt://127.0.0.1:{TestBroker.FreePort()}", "4", "130", t0.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using (Process host = new() { StartInfo = start })
        {
            TaskCompletionSource<string> written = new(TaskCreationOptions.RunContinuationsAsynchronously);
            List<string> errors = [];
            host.OutputDataReceived += (_, e) => written.TrySetResult(e.Data ?? "(exited)");
            host.ErrorDataReceived += (_, e) =>
            {
                lock (errors)
                {
                    errors.Add(e.Data ?? "");
                }
            };
            Assert.True(host.Start());
            host.BeginOutputReadLine();
            host.BeginErrorReadLine();
            string line = await written.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.True(line == "written", $"crash host said '{line}': {string.Join("\n", errors)}");
            host.Kill(entireProcessTree: true);   // SIGKILL: no Dispose, no shutdown flush
            await host.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        await using TestClient gateway = await TestClient.ConnectAsync(broker.Uri, "gateway", "bte/lab1/dev/+/telemetry/backfill", "bte/lab1/dev/+/event");
        await using TelemetryHarness h = new(broker.Uri, outboxPath: Path.Combine(dir, "outbox.db"));
        h.Device.Clock.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(t0 + 60_000));
        Assert.Equal(130, h.Telemetry.OutboxSamples);
        Assert.Equal(4, h.Telemetry.OutboxEvents);
        await h.StartAsync();
        await h.WaitForDrainsAsync(1);
        await gateway.WaitForAsync(l => l.Count == 7);

        Assert.Equal(Enumerable.Range(0, 130).Select(i => t0 + i), StoreAndForwardTests.BackfilledTs(gateway, h.Id));
        Assert.Equal(["crash-0", "crash-1", "crash-2", "crash-3"], StoreAndForwardTests.Events(gateway, h.Id));
        Assert.Equal(0, h.Telemetry.OutboxSamples + h.Telemetry.OutboxEvents);
        Directory.Delete(dir, recursive: true);
    }
}
