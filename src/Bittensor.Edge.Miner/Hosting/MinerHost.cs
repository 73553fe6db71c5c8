// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Boards.Thermal;
using Bittensor.Edge.Boards.Watchdog;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Miner.Board;
using Bittensor.Edge.Miner.Bus;
using Bittensor.Edge.Miner.Device;
using Bittensor.Edge.Miner.Fleet;
using Bittensor.Edge.Miner.Models;
using Bittensor.Edge.Miner.Settings;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Telemetry.Publishing;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Miner.Hosting;

/// <summary>What the host takes from the outside world, so tests can supply their own.</summary>
/// <param name="LoggerFactory">Where logs go (not disposed by the host).</param>
/// <param name="Clock">Ticks, delays, deadlines and logins.</param>
/// <param name="GetEnvironmentVariable">Reads <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c>.</param>
/// <param name="ProcessId">This process's id (for <c>WATCHDOG_PID</c>).</param>
public sealed record MinerHostEnvironment(ILoggerFactory LoggerFactory, IClock Clock, Func<string, string?> GetEnvironmentVariable, int ProcessId);

/// <summary>
/// The composition root of <c>bte-miner</c>, built by hand: board (<see cref="BoardRuntime"/>), device key, bundled
/// models, the sector store (opened and reconciled after READY), the <see cref="MainLoop"/>, the LED, sd_notify and the
/// watchdog, and the <see cref="FleetSession"/> that joins and serves the bus. What the device reports (retained state,
/// samples every <c>telemetryPeriodS</c>, thermal, power and error events, Home Assistant discovery) goes out through the
/// session's <see cref="DeviceTelemetry"/>, whose outbox (<c>dataDir/outbox.db</c>) keeps it across outages. <c>READY=1</c> goes out once the settings
/// are loaded, the main loop runs and the store is open (or has been reconciling for <see cref="ReadyWait"/>, then it
/// shows as state <c>reconciling</c>). SIGTERM (the stop token) sends <c>STOPPING=1</c>, refuses new work, lets running
/// requests and durable writes finish within <c>bus:shutdownGraceS</c>, publishes the clean <c>offline</c>, disconnects
/// and returns 0.
/// </summary>
/// <remarks>One <see cref="RunAsync"/> per instance. The command methods may be called from any thread.</remarks>
public sealed class MinerHost : IBusCommandSink, IDisposable
{
    /// <summary>Longest READY waits for the store before going out with state <c>reconciling</c>.</summary>
    public static readonly TimeSpan ReadyWait = TimeSpan.FromSeconds(3);

    private const int DefaultTelemetryPeriodS = 60;

    /// <summary>Events raised before the session has its publisher (a store that fails at start) wait here, at most this many.</summary>
    private const int MaxEarlyEvents = 100;

    private readonly MinerSettings _settings;
    private readonly MinerHostEnvironment _environment;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly DeviceStatus _status = new();
    private readonly StoreHolder _store = new();
    private readonly CancellationTokenSource _restart = new();
    private readonly ConcurrentQueue<DeviceEvent> _earlyEvents = new();
    private readonly DailyCounter _bytesToday = new(TimeZoneInfo.Local);
    private BusCounters _lastCounters = new(0, 0, 0, 0, 0, 0, 0, 0, 0);
    private TimeSpan _lastSampleAt;
    private string? _lastError;
    private int _telemetryPeriodS;
    private LedDriver? _led;
    private FleetSession? _fleet;
    private string? _deviceId;
    private string _boardId = "";

    /// <summary>A host for <paramref name="settings"/>; nothing starts until <see cref="RunAsync"/>.</summary>
    public MinerHost(MinerSettings settings, MinerHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        _settings = settings;
        _environment = environment;
        _clock = environment.Clock;
        _logger = environment.LoggerFactory.CreateLogger("Bittensor.Edge.Miner");
        _telemetryPeriodS = settings.Telemetry.TelemetryPeriodS;
    }

    /// <summary>The live status (tests and the simulator read it).</summary>
    public DeviceStatus Status => _status;

    /// <summary>The fleet session once running.</summary>
    public FleetSession? Fleet => _fleet;

    /// <summary>The telemetry period now (settings, first boot, then <c>config.set</c>).</summary>
    public TimeSpan TelemetryPeriod => TimeSpan.FromSeconds(Volatile.Read(ref _telemetryPeriodS) is > 0 and var s ? s : DefaultTelemetryPeriodS);

    /// <summary>Runs until <paramref name="stop"/> is cancelled or a <c>restart</c> command; returns the exit code.</summary>
    public async Task<int> RunAsync(CancellationToken stop = default)
    {
        DeviceSection device = _settings.Device;
        if (!BoardRuntime.TryCreate(device, out BoardRuntime? board, out string? error))
        {
            Log.StartupFailed(_logger, error);
            return MinerConstants.ExitStartup;
        }

        using (board)
        {
            foreach (string problem in board.Start(device.HardwareRoot))
            {
                Log.BoardWarning(_logger, problem);
            }

            string keyPath = Path.Combine(device.DataDir, MinerConstants.DeviceKeyFile);
            if (!DeviceKeyStore.TryLoadOrCreate(keyPath, out WalletKey? key, out bool created, out error))
            {
                Log.StartupFailed(_logger, $"the device key: {error}");
                return MinerConstants.ExitStartup;
            }

            using (key)
            {
                if (created)
                {
                    Log.KeyCreated(_logger, keyPath);
                }

                try
                {
                    Directory.CreateDirectory(device.StateDir);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    Log.StartupFailed(_logger, $"the state folder {device.StateDir} (device:stateDir) cannot be created: {e.Message}");
                    return MinerConstants.ExitStartup;
                }

                _deviceId = DeviceIds.FromPublicKey(key.PublicKey);
                _boardId = board.Profile.Id;
                Log.Started(_logger, MinerVersion.Current, _deviceId, board.Profile.Id, board.Detected ? "detected" : "from settings");
                return await RunCoreAsync(board, key.KeyPair, stop).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc/>
    public void Identify() => _led?.Identify();

    /// <inheritdoc/>
    public void Dispose() => _restart.Dispose();

    /// <inheritdoc/>
    public void Rebirth()
    {
        if (_fleet?.Connection is { } connection)
        {
            _ = connection.RebirthAsync();
        }
    }

    /// <inheritdoc/>
    public void ConfigSet(int telemetryPeriodS) => Volatile.Write(ref _telemetryPeriodS, telemetryPeriodS);

    /// <inheritdoc/>
    public void Revoke()
    {
        if (_fleet is { } fleet)
        {
            _ = fleet.RevokeAsync();
        }
    }

    /// <inheritdoc/>
    public void Restart() => _restart.Cancel();

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A store that cannot open leaves the device serving what it can (inference) and says why; it must not stop the host.")]
    private async Task<int> RunCoreAsync(BoardRuntime board, Ed25519KeyPair key, CancellationToken stop)
    {
        DeviceSection device = _settings.Device;
        string modelFolder = Path.Combine(device.DataDir, MinerConstants.ModelFolder);
        if (_settings.Inference.BundledModels)
        {
            IReadOnlyList<string> written = ModelService.EnsureBundled(modelFolder);
            if (written.Count > 0)
            {
                string ids = string.Join(", ", written);
                Log.ModelsWritten(_logger, modelFolder, ids);
            }
        }

        if (_telemetryPeriodS == 0 && FirstBootFile.TryLoad(Path.Combine(device.StateDir, MinerConstants.FirstBootFile), out FirstBootConfig? firstBoot, out _) && firstBoot.TelemetryPeriodS is { } fromFirstBoot)
        {
            _telemetryPeriodS = fromFirstBoot;
        }

        await using ModelService models = new(modelFolder, key, board.Profile, _settings.Inference, _clock, _environment.LoggerFactory.CreateLogger("Bittensor.Edge.Inference"));
        WatchdogHealth health = new(_clock);
        _led = new LedDriver(board.Led, _clock);
        using SdNotifier notifier = SdNotifier.FromEnvironment(_environment.GetEnvironmentVariable);
        notifier.Start();
        WatchdogPinger? pinger = notifier.IsEnabled && WatchdogPinger.TryGetInterval(_environment.GetEnvironmentVariable, _environment.ProcessId, out TimeSpan interval)
            ? new WatchdogPinger(notifier, _clock, interval, health.IsHealthy)
            : null;

        BusCountersSource counters = new();
        FleetSessionOptions fleetOptions = new(
            key,
            board.Profile.Id,
            board.Serial ?? "unknown",
            device.StateDir,
            new TimeGate(device.TrustClock || board.IsSimulator, device.TimeSyncFile, device.RtcDevice),
            gatewayKey => counters.Attach(new BusDispatcher(key, gatewayKey, _clock, _status, health, _store, models, this, _settings.Bus.MaxConcurrentRequests, _logger)),
            Path.Combine(device.DataDir, MinerConstants.OutboxFile),
            new DeviceDescription(Environment.MachineName, board.Profile.Id, board.Profile.Name, board.Serial, MinerVersion.Current),
            (telemetry, token) => OnConnectedAsync(telemetry, models, token),
            _settings.Bus.ReclaimAfterMb * 1024L * 1024);
        _fleet = new FleetSession(fleetOptions, _status, _clock, _environment.LoggerFactory);

        MainLoopOutputs outputs = new(
            PublishState: () => Fire(PublishStateAsync(_fleet.Telemetry, models, CancellationToken.None)),
            PublishTelemetry: () => Fire(PublishSampleAsync(_fleet.Telemetry, device.DataDir, counters)),
            PublishEvent: (kind, message) => PublishEvent(kind, message),
            StatusChanged: line =>
            {
                Notify(notifier, "STATUS=" + line);
                ReportError();
            },
            ThermalChanged: models.SetThermal);
        MainLoop loop = new(_clock, board, _status, health, _led, () => TelemetryPeriod, outputs, _logger);

        using CancellationTokenSource services = CancellationTokenSource.CreateLinkedTokenSource(stop, _restart.Token);
        Task storeOpen = Task.Run(() => OpenStore(device.DataDir), CancellationToken.None);
        Task loopTask = loop.RunAsync(services.Token);
        Task ledTask = _led.RunAsync(services.Token);
        Task watchdogTask = pinger?.RunAsync(services.Token) ?? Task.CompletedTask;

        await loop.FirstTick.WaitAsync(services.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // The fleet session does not wait for the store: it connects while the store reconciles (storage requests get
        // Busy until it is open), so a device is on the bus within milliseconds of its start.
        Task fleetTask = _fleet.RunAsync(services.Token);
        using (CancellationTokenSource readyWait = CancellationTokenSource.CreateLinkedTokenSource(services.Token))
        {
            await Task.WhenAny(storeOpen, _clock.DelayAsync(ReadyWait, readyWait.Token)).ConfigureAwait(false);
            await readyWait.CancelAsync().ConfigureAwait(false);
        }

        Notify(notifier, $"READY=1\nSTATUS={_status.StatusLine()}");
        if (notifier.IsEnabled)
        {
            Log.SystemdReady(_logger, pinger?.Interval);
        }

        Task preload = _settings.Inference.Preload ? Task.Run(models.PreloadAsync, CancellationToken.None) : Task.CompletedTask;
        if (_settings.Device.TrimMemory)
        {
            // Once start-up (and the preload, which runs ONNX Runtime's one-off kernel registration) is over.
            _ = preload.ContinueWith(
                _ =>
                {
                    (long before, long after) = WorkingSetTrimmer.Trim();
                    Log.MemoryTrimmed(_logger, _settings.Inference.Preload ? "models loaded" : "started", before / 1048576.0, after / 1048576.0);
                },
                CancellationToken.None,
                TaskContinuationOptions.None,
                TaskScheduler.Default);
        }

        Task stopped = Task.Delay(Timeout.Infinite, services.Token);
        Task first = await Task.WhenAny(stopped, fleetTask, loopTask).ConfigureAwait(false);
        int exitCode = MinerConstants.ExitOk;
        if (first != stopped && first.IsFaulted)
        {
            Log.ServiceFailed(_logger, first.Exception!.GetBaseException(), first == fleetTask ? "fleet session" : "main loop");
            exitCode = MinerConstants.ExitFailure;
        }

        string reason = _restart.IsCancellationRequested ? "restart command" : stop.IsCancellationRequested ? "SIGTERM" : "a service failed";
        Log.Stopping(_logger, reason);
        Notify(notifier, "STOPPING=1");
        _status.BeginDraining();
        _led.SetPattern(Boards.StatusLed.LedPattern.Off);

        // Stop taking work, let running requests (durable puts among them) finish, then the clean offline.
        await WaitForHandlersAsync(health, TimeSpan.FromSeconds(_settings.Bus.ShutdownGraceS)).ConfigureAwait(false);
        if (_fleet.Connection is { } connection)
        {
            // The clean offline and DISCONNECT get 5 s of their own (on the clock), after the handlers' grace.
            using CancellationTokenSource offline = new();
            using CancellationTokenSource budget = new();
            _ = _clock.DelayAsync(TimeSpan.FromSeconds(5), budget.Token).ContinueWith(_ => offline.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            await connection.StopAsync(offline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await budget.CancelAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        // Events raised while stopping are in the outbox; the publisher's run ended with the session (last flush).
        await fleetTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _fleet.Telemetry?.Dispose();

        // A handler the connection gave up waiting for may still be inside the store; it must finish before the store closes.
        await WaitForHandlersAsync(health, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await services.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(loopTask, ledTask, watchdogTask, fleetTask).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await preload.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await storeOpen.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _fleet.Dispatcher?.Dispose();
        if (_store.Store is { } store)
        {
            store.Dispose();
        }

        Log.Stopped(_logger, reason);
        return exitCode;
    }

    private void OpenStore(string dataDir)
    {
        string folder = Path.Combine(dataDir, MinerConstants.StoreFolder);
        try
        {
            FileSectorStore store = FileSectorStore.Open(
                new SectorStoreOptions { Directory = folder, QuotaBytes = _settings.Storage.QuotaBytes, ReserveFraction = _settings.Storage.ReserveFraction },
                _clock);
            ReconcileReport report = store.LastReconcile;
            Log.StoreOpened(_logger, folder, store.Usage.Sectors, report.TempFilesRemoved, report.Lost.Count, report.Adopted.Count, report.OrphansRemoved, report.IndexRebuilt ? "; the index was rebuilt" : "");
            _store.Set(store);
            _status.SetStoreReady(true);
        }
        catch (Exception e)
        {
            Log.StoreFailed(_logger, e, folder);
            _status.SetState(MinerState.Error, $"the sector store cannot be opened: {e.Message}");
        }
    }

    private async Task WaitForHandlersAsync(WatchdogHealth health, TimeSpan grace)
    {
        TimeSpan deadline = _clock.Elapsed + grace;
        while (health.RunningHandlers > 0 && _clock.Elapsed < deadline)
        {
            await _clock.DelayAsync(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }
    }

    private DeviceState BuildState(ModelService models)
    {
        bool inferring = _status.CanInfer(out _);
        StoreUsage? usage = _store.Store is { } store && _status.StoreReady ? store.Usage : null;
        return new DeviceState(
            _clock.UtcNow.ToUnixTimeMilliseconds(),
            "miner",
            _status.PublishedState(),
            DeviceStatus.Name(_status.Thermal),
            _status.PowerOk,
            RunningSlot(),
            MinerVersion.Current,
            inferring ? [.. models.Models.Select(static m => m.Id)] : [],
            usage?.Bytes ?? 0,
            usage is { } u ? u.QuotaSectors * Storage.StorageConstants.SectorSize : _settings.Storage.QuotaBytes,
            usage?.Sectors ?? 0);
    }

    private async Task OnConnectedAsync(DeviceTelemetry telemetry, ModelService models, CancellationToken cancellationToken)
    {
        while (_earlyEvents.TryDequeue(out DeviceEvent? early))
        {
            await PublishEventAsync(telemetry, early).ConfigureAwait(false);
        }

        await PublishStateAsync(telemetry, models, cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishStateAsync(DeviceTelemetry? telemetry, ModelService models, CancellationToken cancellationToken)
    {
        // Before enrollment there is no publisher; the first birth publishes the state of that moment.
        if (telemetry is not null && !await telemetry.PublishStateAsync(BuildState(models), cancellationToken).ConfigureAwait(false) && _fleet?.Connection?.IsConnected == true)
        {
            Log.PublishDropped(_logger, "state");
        }
    }

    private async Task PublishSampleAsync(DeviceTelemetry? telemetry, string dataDir, BusCountersSource counters)
    {
        BusCounters now = counters.Read();
        TimeSpan at = _clock.Elapsed;
        BusCounters before = _lastCounters;
        double seconds = (at - _lastSampleAt).TotalSeconds;
        _lastCounters = now;
        _lastSampleAt = at;
        if (telemetry is null)
        {
            return; // not enrolled: nobody to report to
        }

        ThrottledFlags? flags = _status.Throttled;
        const ThrottledFlags throttling = ThrottledFlags.ArmFrequencyCapped | ThrottledFlags.Throttled | ThrottledFlags.SoftTemperatureLimit;
        long answered = now.Proves + now.ProveFailures;
        TelemetrySample sample = new(
            _clock.UtcNow.ToUnixTimeMilliseconds(),
            SocTempC: _status.TemperatureC,
            CpuLoadPct: SystemReadings.CpuLoadPercent(),
            MemUsedPct: SystemReadings.MemoryUsedPercent(),
            DiskUsedPct: SystemReadings.DiskUsedPercent(dataDir),
            Throttled: flags is { } f ? (f & throttling) != 0 : _status.Thermal >= ThermalState.Hot,
            UnderVoltage: !_status.PowerOk,
            ThrottledWord: flags is { } word ? (uint)word : null,
            ChallengesPassed: now.Proves - before.Proves,
            ChallengesFailed: now.ProveFailures - before.ProveFailures,
            ChallengePassRatePct: answered > 0 ? 100.0 * now.Proves / answered : null,
            InferenceRps: seconds > 0 ? (now.InferRuns - before.InferRuns) / seconds : null,
            InferenceP95Ms: counters.TakeInferenceP95Ms(),
            BytesWrittenToday: SystemReadings.ProcessWriteBytes() is { } written ? _bytesToday.SinceMidnight(_clock.UtcNow, written) : 0,
            UptimeS: (long)at.TotalSeconds);
        await telemetry.PublishSampleAsync(sample).ConfigureAwait(false);
    }

    private void PublishEvent(string type, string message)
    {
        DeviceEvent deviceEvent = new(_clock.UtcNow.ToUnixTimeMilliseconds(), type, message);
        if (_fleet?.Telemetry is { } telemetry)
        {
            Fire(PublishEventAsync(telemetry, deviceEvent));
        }
        else if (_earlyEvents.Count < MaxEarlyEvents)
        {
            _earlyEvents.Enqueue(deviceEvent);
        }
    }

    private async Task PublishEventAsync(DeviceTelemetry telemetry, DeviceEvent deviceEvent)
    {
        try
        {
            await telemetry.PublishEventAsync(deviceEvent).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or LiteDB.LiteException or ObjectDisposedException)
        {
            string what = $"event {deviceEvent.Type} (the outbox cannot be written: {e.Message})";
            Log.PublishDropped(_logger, what);
        }
    }

    // Every move into the error state is an event, once per distinct reason (the main loop calls this on each status change).
    private void ReportError()
    {
        if (_status.State is MinerState.Error && _status.Detail is var detail && detail != _lastError)
        {
            _lastError = detail;
            PublishEvent("error", detail ?? "the device is in the error state; see its log");
        }
        else if (_status.State is not MinerState.Error)
        {
            _lastError = null;
        }
    }

    // The A/B slot the binary runs from (/opt/bte/slots/{a|b}, fleet.md §9); "a" outside a slot.
    private static string RunningSlot() =>
        AppContext.BaseDirectory.Contains("/slots/b/", StringComparison.Ordinal) ? "b" : "a";

    private void Notify(SdNotifier notifier, string state)
    {
        if (notifier.IsEnabled && !notifier.TryNotify(state))
        {
            Log.NotifyFailed(_logger, notifier.SocketPath!);
        }
    }

    // Publishing never blocks the main loop; a failure is logged by the connection and the next tick tries again.
    private static void Fire(Task task) => _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    // The dispatcher exists only once enrolled; telemetry reads its counters (zeros before).
    private sealed class BusCountersSource
    {
        private volatile BusDispatcher? _dispatcher;

        public BusDispatcher Attach(BusDispatcher dispatcher)
        {
            _dispatcher = dispatcher;
            return dispatcher;
        }

        public BusCounters Read() => _dispatcher?.Counters ?? new BusCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);

        public double? TakeInferenceP95Ms() => _dispatcher?.TakeInferenceP95Ms();
    }
}
