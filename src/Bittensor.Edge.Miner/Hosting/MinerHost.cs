// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
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
using Bittensor.Edge.Telemetry.Bus;
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
/// watchdog, and the <see cref="FleetSession"/> that joins and serves the bus. <c>READY=1</c> goes out once the settings
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

    private readonly MinerSettings _settings;
    private readonly MinerHostEnvironment _environment;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly DeviceStatus _status = new();
    private readonly StoreHolder _store = new();
    private readonly CancellationTokenSource _restart = new();
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
    public void ConfigSet(int? telemetryPeriodS, string? haDiscoveryPrefix)
    {
        if (telemetryPeriodS is { } period)
        {
            Volatile.Write(ref _telemetryPeriodS, period);
        }

        // The discovery prefix matters to Home Assistant discovery, which the telemetry publisher owns; it applies from
        // the next start (first-boot haDiscoveryPrefix).
        _ = haDiscoveryPrefix;
    }

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
            (connection, token) => PublishStateAsync(connection, board, models, token));
        _fleet = new FleetSession(fleetOptions, _status, _clock, _environment.LoggerFactory);

        MainLoopOutputs outputs = new(
            PublishState: () => Fire(PublishStateAsync(_fleet.Connection, board, models, CancellationToken.None)),
            PublishTelemetry: () => Fire(PublishTelemetryAsync(_fleet.Connection, device.DataDir, counters)),
            PublishEvent: (kind, message) => Fire(PublishEventAsync(_fleet.Connection, kind, message)),
            StatusChanged: line => Notify(notifier, "STATUS=" + line),
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

    private DeviceStateDocument BuildState(BoardRuntime board, ModelService models)
    {
        bool inferring = _status.CanInfer(out _);
        StoreCapacity? capacity = null;
        if (_store.Store is { } store && _status.StoreReady)
        {
            StoreUsage usage = store.Usage;
            capacity = new StoreCapacity(usage.Sectors, usage.QuotaSectors, usage.Bytes, usage.FreeBytes);
        }

        MinerState state = _status.State;
        string stateName = !_status.StoreReady && state is MinerState.Starting or MinerState.Connecting or MinerState.Online ? "reconciling" : DeviceStatus.Name(state);
        return new DeviceStateDocument(
            _deviceId!,
            board.Profile.Id,
            inferring ? "storage+inference" : "storage",
            MinerVersion.Current,
            stateName,
            _status.Detail,
            DeviceStatus.Name(_status.Thermal),
            _status.TemperatureC,
            _status.PowerOk,
            _status.Throttled is { } flags ? $"0x{(uint)flags:x}" : null,
            inferring ? models.Models : [],
            capacity,
            _clock.UtcNow.ToUnixTimeMilliseconds());
    }

    private async Task PublishStateAsync(DeviceBusConnection? connection, BoardRuntime board, ModelService models, CancellationToken cancellationToken)
    {
        if (connection is null || !connection.IsConnected || _deviceId is null)
        {
            return;
        }

        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(BuildState(board, models), MinerJsonContext.Default.DeviceStateDocument);
        if (!await connection.PublishAsync(connection.Topics.State(_deviceId), payload, BusDelivery.AtLeastOnce, retain: true, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            Log.PublishDropped(_logger, "state");
        }
    }

    private async Task PublishTelemetryAsync(DeviceBusConnection? connection, string dataDir, BusCountersSource counters)
    {
        if (connection is null || !connection.IsConnected || _deviceId is null)
        {
            return;
        }

        TelemetrySample sample = new(
            _clock.UtcNow.ToUnixTimeMilliseconds(),
            _status.TemperatureC,
            DeviceStatus.Name(_status.Thermal),
            SystemReadings.Load1(),
            SystemReadings.MemoryUsedPercent(),
            SystemReadings.FreeBytes(dataDir),
            _status.Throttled is { } flags ? $"0x{(uint)flags:x}" : null,
            !_status.PowerOk,
            _store.Store?.Usage.Sectors ?? 0,
            counters.Read(),
            (long)_clock.Elapsed.TotalSeconds);
        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(sample, MinerJsonContext.Default.TelemetrySample);
        await connection.PublishAsync(connection.Topics.Telemetry(_deviceId), payload, BusDelivery.AtMostOnce).ConfigureAwait(false);
    }

    private async Task PublishEventAsync(DeviceBusConnection? connection, string kind, string message)
    {
        if (connection is null || !connection.IsConnected || _deviceId is null)
        {
            return;
        }

        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(new DeviceEvent(kind, message, _clock.UtcNow.ToUnixTimeMilliseconds()), MinerJsonContext.Default.DeviceEvent);
        await connection.PublishAsync(connection.Topics.Event(_deviceId), payload, BusDelivery.AtLeastOnce).ConfigureAwait(false);
    }

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
    }
}
