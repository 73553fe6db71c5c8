// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Miner.Hosting;
using Bittensor.Edge.Miner.Settings;
using Bittensor.Edge.Miner.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Miner.Tests.Fleet;

/// <summary>A bte-miner host in this process on x64-sim, with its own data and state folders and a NOTIFY_SOCKET.</summary>
internal sealed class DeviceRig : IAsyncDisposable
{
    private readonly TempDir _dir = new();
    private readonly CancellationTokenSource _stop = new();
    private Task<int>? _run;

    public DeviceRig(string? firstBootJson, int watchdogUsec = 3_000_000)
    {
        Directory.CreateDirectory(_dir.Path("state"));
        if (firstBootJson is not null)
        {
            File.WriteAllText(FirstBootPath, firstBootJson);
            File.SetUnixFileMode(FirstBootPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Notify = new NotifySocket(_dir.Path("notify.sock"));
        Settings = new MinerSettings();
        Settings.Device.Board = "x64-sim";
        Settings.Device.DataDir = _dir.Path("data");
        Settings.Device.StateDir = _dir.Path("state");
        Settings.Inference.Preload = false;
        Settings.Storage.ReserveFraction = 0;
        Dictionary<string, string> environment = new(StringComparer.Ordinal)
        {
            ["NOTIFY_SOCKET"] = Notify.Path,
            ["WATCHDOG_USEC"] = watchdogUsec.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        Host = new MinerHost(Settings, new MinerHostEnvironment(NullLoggerFactory.Instance, SystemClock.Instance, name => environment.GetValueOrDefault(name), Environment.ProcessId));
    }

    public MinerSettings Settings { get; }

    public MinerHost Host { get; }

    public NotifySocket Notify { get; }

    public string FirstBootPath => _dir.Path("state", "firstboot.json");

    public string EnrollmentPath => _dir.Path("state", "enrollment.json");

    public string DataPath(params string[] parts) => _dir.Path(["data", .. parts]);

    public Task<int> Run => _run ?? throw new InvalidOperationException("Not started.");

    public void Start() => _run = Task.Run(() => Host.RunAsync(_stop.Token));

    /// <summary>SIGTERM, as the host sees it.</summary>
    public async Task<int> StopAsync()
    {
        await _stop.CancelAsync();
        return await Run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Completes when the host reaches <paramref name="state"/> (checked on each status change notification).</summary>
    public async Task WaitForStateAsync(MinerState state, TimeSpan timeout)
    {
        using CancellationTokenSource expiry = new(timeout);
        while (Host.Status.State != state)
        {
            // STATUS= datagrams arrive on every change; each one is a reason to look again.
            await Notify.WaitForAsync("STATUS=", timeout).WaitAsync(expiry.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_run is not null && !_run.IsCompleted)
        {
            await StopAsync();
        }

        Host.Dispose();
        Notify.Dispose();
        _stop.Dispose();
        _dir.Dispose();
    }
}
