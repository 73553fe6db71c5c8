// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Bittensor.Edge.Boards.Watchdog;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Hosting;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Gateway.Admin;
using Bittensor.Edge.Gateway.Broker;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Gateway.Settings;
using Bittensor.Edge.Protocol.Fleet;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Gateway;

/// <summary>What the gateway takes from the outside world, so tests can supply their own.</summary>
/// <param name="LoggerFactory">Where logs go (not disposed by the host).</param>
/// <param name="Clock">Token expiry, nonces, logins, probes and watchdog pings.</param>
/// <param name="GetEnvironmentVariable">Reads <c>NOTIFY_SOCKET</c> and <c>WATCHDOG_USEC</c>.</param>
public sealed record GatewayHostEnvironment(ILoggerFactory LoggerFactory, IClock Clock, Func<string, string?> GetEnvironmentVariable);

/// <summary>
/// The composition root of <c>bte-gateway</c>, built by hand: the data folder (0700), the <see cref="FleetStore"/>, the
/// bus key, the <see cref="FleetGateway"/> (broker, join, bus, probe), the admin API on Kestrel, and sd_notify
/// (<c>READY=1</c> once the broker and admin API listen, <c>STATUS=</c>, <c>WATCHDOG=1</c> while the store answers,
/// <c>STOPPING=1</c>). Each service runs as a task; the first failure stops the others and becomes exit code 1.
/// </summary>
/// <remarks>Stateless; each call of <c>RunAsync</c> is one gateway run. The gateway's axon, batching and
/// rewards (a later issue) will join the services list here.</remarks>
public static class GatewayHost
{
    /// <summary>Runs the gateway until <paramref name="stop"/> is cancelled or a service fails; returns the exit code.</summary>
    public static async Task<int> RunAsync(GatewaySettings settings, GatewayHostEnvironment environment, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        ILogger logger = environment.LoggerFactory.CreateLogger("Bittensor.Edge.Gateway");
        string dataDir = settings.Gateway.DataDir;
        if (!GatewayFiles.TryReadSecretLine(settings.Mqtt.HomeAssistantPasswordUri, "mqtt:homeAssistantPasswordUri", out string? haPassword, out string? error))
        {
            Log.StartupFailed(logger, error);
            return GatewayConstants.ExitStartup;
        }

        if (!FleetStore.TryOpen(dataDir, out FleetStore? store, out error))
        {
            Log.StartupFailed(logger, error);
            return GatewayConstants.ExitStartup;
        }

        using (store)
        {
            string keyPath = GatewayFiles.BusKeyPath(dataDir, settings.Gateway.BusKeyUri);
            if (!GatewayFiles.TryLoadOrCreateBusKey(keyPath, out WalletKey? busKey, out bool created, out error)
                || !GatewayFiles.TryLoadOrCreateAdminToken(dataDir, out string? adminToken, out error))
            {
                Log.StartupFailed(logger, error);
                return GatewayConstants.ExitStartup;
            }

            using (busKey)
            {
                if (created)
                {
                    Log.BusKeyCreated(logger, keyPath);
                }

                X509Certificate2? tlsCertificate = null;
                if (settings.Mqtt.TlsEnabled)
                {
                    string subject = $"bte-gateway {settings.Gateway.FleetId}/{settings.Gateway.GatewayId}";
                    if (!GatewayFiles.TryLoadOrCreateTlsCertificate(dataDir, subject, environment.Clock.UtcNow, out tlsCertificate, out bool tlsCreated, out error))
                    {
                        Log.StartupFailed(logger, error);
                        return GatewayConstants.ExitStartup;
                    }

                    if (tlsCreated)
                    {
                        Log.TlsCertificateCreated(logger, Path.Combine(dataDir, GatewayConstants.TlsCertificateFileName), GatewayFiles.TlsSha256(tlsCertificate));
                    }
                }

                using (tlsCertificate)
                {
                    return await RunAsync(settings, environment, logger, store, busKey, adminToken, haPassword, tlsCertificate, stop).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task<int> RunAsync(GatewaySettings settings, GatewayHostEnvironment environment, ILogger logger, FleetStore store, WalletKey busKey, string adminToken, string? haPassword, X509Certificate2? tlsCertificate, CancellationToken stop)
    {
        FleetTopics topics = GatewaySettingsValidator.Topics(settings.Gateway);
        FleetGatewayOptions options = new(
            settings.Gateway.FleetId,
            settings.Gateway.GatewayId,
            topics,
            new FleetBrokerOptions(IPAddress.Parse(settings.Mqtt.ListenAddress), settings.Mqtt.Port, topics, settings.Gateway.GatewayId, settings.Mqtt.JoinConnectsPerMinute, haPassword, tlsCertificate, settings.Mqtt.TlsPort),
            settings.Probe.Model,
            settings.Probe.Leaves,
            TimeSpan.FromSeconds(settings.Probe.TimeoutS));
        FleetGateway gateway;
        try
        {
            gateway = await FleetGateway.StartAsync(options, store, busKey.KeyPair, environment.Clock, logger, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidOperationException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            string ports = settings.Mqtt.TlsEnabled ? $"{settings.Mqtt.Port} (mqtts {settings.Mqtt.TlsPort})" : $"{settings.Mqtt.Port}";
            Log.StartupFailed(logger, $"Cannot start the MQTT broker on {settings.Mqtt.ListenAddress}:{ports}: {e.Message}");
            return GatewayConstants.ExitStartup;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return GatewayConstants.ExitOk;
        }

        await using (gateway.ConfigureAwait(false))
        {
            using CancellationTokenSource services = CancellationTokenSource.CreateLinkedTokenSource(stop);
            WebApplication app = BuildAdminApp(settings.Admin, new AdminEndpoint(gateway, adminToken, logger), environment.LoggerFactory);
            await using (app.ConfigureAwait(false))
            {
                try
                {
                    await app.StartAsync(stop).ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    Log.StartupFailed(logger, $"Cannot listen for the admin API on {settings.Admin.ListenAddress}:{settings.Admin.Port}: {e.Message}");
                    return GatewayConstants.ExitStartup;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return GatewayConstants.ExitOk;
                }

                Uri adminUrl = ResolveAdminUrl(app);
                GatewayFiles.WriteAdminUrl(settings.Gateway.DataDir, adminUrl);
                Log.AdminListening(logger, adminUrl);
                GatewayInfo info = gateway.Info();
                int enrolled = store.ListEnrollments().Count;
                Log.GatewayReady(logger, settings.Gateway.FleetId, settings.Gateway.GatewayId, info.BusKey, topics.Base, gateway.Broker.Port, enrolled);

                using SdNotifier notifier = new(environment.GetEnvironmentVariable(SdNotifier.NotifySocketVariable));
                notifier.Start();
                notifier.TryNotify($"READY=1\nSTATUS=Fleet {settings.Gateway.FleetId}: MQTT on {settings.Mqtt.ListenAddress}:{gateway.Broker.Port}, {enrolled} devices enrolled");
                Task watchdog = Task.CompletedTask;
                if (notifier.IsEnabled && WatchdogPinger.TryGetInterval(environment.GetEnvironmentVariable(WatchdogPinger.WatchdogUsecVariable), out TimeSpan interval))
                {
                    // Alive while the store answers (its lock is shared with every join, login and admin call).
                    WatchdogPinger pinger = new(notifier, environment.Clock, interval, () => store.IsOpen);
                    watchdog = RunQuietlyAsync(pinger.RunAsync(services.Token));
                }

                List<(string Name, Task Task)> running =
                [
                    ("bus", gateway.RunAsync(services.Token)),
                    ("watchdog", watchdog),
                ];
                (string Service, Exception Error)? failure = await ServiceSupervisor.WaitForStopOrFailureAsync(running, services.Token).ConfigureAwait(false);
                if (failure is { } failed)
                {
                    Log.ServiceFailed(logger, failed.Error, failed.Service);
                }

                int exitCode = failure is null ? GatewayConstants.ExitOk : GatewayConstants.ExitFailure;
                Log.Stopping(logger, exitCode == GatewayConstants.ExitOk ? "shutdown requested" : "a service failed");
                notifier.TryNotify("STOPPING=1");
                await services.CancelAsync().ConfigureAwait(false);
                foreach ((string _, Task task) in running)
                {
                    await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }

                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                return exitCode;
            }
        }
    }

    private static async Task RunQuietlyAsync(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static WebApplication BuildAdminApp(AdminSection admin, AdminEndpoint endpoint, ILoggerFactory loggerFactory)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, ExternalLifetime>();
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024;
            kestrel.Listen(IPAddress.Parse(admin.ListenAddress), admin.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        WebApplication app = builder.Build();
        app.Run(endpoint.HandleAsync);
        return app;
    }

    private static Uri ResolveAdminUrl(WebApplication app)
    {
        IServerAddressesFeature? addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        Uri listening = new(addresses?.Addresses.FirstOrDefault() ?? "http://127.0.0.1:0");
        if (IPAddress.TryParse(listening.Host.Trim('[', ']'), out IPAddress? address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)))
        {
            listening = new UriBuilder(listening) { Host = address.Equals(IPAddress.Any) ? "127.0.0.1" : "[::1]" }.Uri;
        }

        return new Uri(listening.GetLeftPart(UriPartial.Authority) + "/");
    }

    // The gateway owns signals and shutdown (GatewayRunner), so the web host must not install its own console lifetime.
    private sealed class ExternalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
