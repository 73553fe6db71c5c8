// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Axon;

/// <summary>
/// The axon: an HTTP/1.1 server (ASP.NET Core slim builder, Kestrel, no MVC, no reflection) that answers
/// <c>POST /{SynapseName}</c> through the verification pipeline of specs/protocol.md §3.3 and signs every answer (§3.6).
/// Create it with <see cref="AxonBuilder"/>.
/// </summary>
/// <remarks>
/// <para>
/// Lifecycle: <see cref="StartAsync"/> binds and returns once listening (then <see cref="Endpoint"/> is known);
/// <see cref="RunAsync"/> starts if needed and serves until its token is cancelled, then stops. A host runs once.
/// <see cref="DisposeAsync"/> stops it if running. Requests are served concurrently; the members are thread-safe.
/// </para>
/// <para>The hotkey pair and logger factory given to the builder are not disposed by the host.</para>
/// </remarks>
public sealed class AxonHost : IAsyncDisposable
{
    private readonly AxonPipeline _pipeline;
    private readonly AxonOptions _options;
    private readonly ILogger _logger;
    private readonly WebApplication _app;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private bool _started;
    private bool _stopped;
    private Uri? _endpoint;

    internal AxonHost(AxonPipeline pipeline, AxonOptions options, ILoggerFactory loggerFactory)
    {
        _pipeline = pipeline;
        _options = options;
        _logger = loggerFactory.CreateLogger<AxonHost>();

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = Protocol.ProtocolConstants.MaxBodyBytes;
            kestrel.Listen(options.Address, options.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        _app = builder.Build();
        _app.Run(pipeline.HandleAsync);
    }

    /// <summary>The axon's hotkey.</summary>
    public PublicKey Hotkey => _pipeline.Hotkey;

    /// <summary>The synapses served, Health included.</summary>
    public IReadOnlyCollection<string> Synapses => [.. _pipeline.Routes];

    /// <summary>The bound base address, e.g. <c>http://127.0.0.1:8091/</c>.</summary>
    /// <exception cref="InvalidOperationException">The host has not started.</exception>
    public Uri Endpoint
    {
        get
        {
            if (_endpoint is null)
            {
                ThrowHelper.ThrowInvalidOperation("The axon has not started.");
            }

            return _endpoint;
        }
    }

    /// <summary>Binds and starts serving; returns once listening.</summary>
    /// <exception cref="InvalidOperationException">The host already started.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_started)
            {
                ThrowHelper.ThrowInvalidOperation("An axon host runs once.");
            }

            _started = true;
            await _app.StartAsync(cancellationToken).ConfigureAwait(false);
            _endpoint = ResolveEndpoint();
            if (_logger.IsEnabled(LogLevel.Information))
            {
                string synapses = string.Join(',', _pipeline.Routes.Order(StringComparer.Ordinal));
                Log.Listening(_logger, _pipeline.HotkeyText, _endpoint, synapses);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Starts (unless <see cref="StartAsync"/> already did) and serves until <paramref name="cancellationToken"/> is cancelled, then stops gracefully.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (!_started)
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
        }

        await _app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Stops serving; in-flight requests get the host's shutdown grace. Stopping twice is harmless.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_started || _stopped)
            {
                return;
            }

            _stopped = true;
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
            Log.Stopped(_logger, _pipeline.HotkeyText);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _lifecycle.Dispose();
    }

    private Uri ResolveEndpoint()
    {
        IServerAddressesFeature? addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>();
        string? first = addresses?.Addresses.FirstOrDefault();
        if (first is null)
        {
            ThrowHelper.ThrowInvalidOperation("Kestrel reported no bound address.");
        }

        Uri bound = new(first.EndsWith('/') ? first : first + "/");
        return _options.Address.Equals(System.Net.IPAddress.Any) || _options.Address.Equals(System.Net.IPAddress.IPv6Any)
            ? bound
            : new UriBuilder(bound) { Host = _options.Address.ToString() }.Uri;
    }
}
