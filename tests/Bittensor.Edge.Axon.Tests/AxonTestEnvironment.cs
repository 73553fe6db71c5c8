// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Net.Http.Headers;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Signing;
using Bittensor.Edge.Protocol.Verification;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Axon.Tests;

/// <summary>
/// A real axon on 127.0.0.1 port 0 with a manual clock, a metagraph holding a validator (permit, stake 1 000) and a
/// miner (no permit), and real dendrites. Disposing it fails the test if the axon logged an unexpected error.
/// </summary>
public sealed class AxonTestEnvironment : IAsyncDisposable
{
    private readonly CollectingLoggerProvider _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly List<IDisposable> _disposables = [];

    private AxonTestEnvironment(Action<AxonBuilder> configure, AxonOptions? options)
    {
        _loggerFactory = LoggerFactory.Create(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(_logs));
        Metagraph.Set(Validator.PublicKey, validatorPermit: true, stakeRao: 1_000);
        Metagraph.Set(Miner.PublicKey, validatorPermit: false, stakeRao: 50);
        AxonBuilder builder = new AxonBuilder(AxonKey, Metagraph)
            .WithOptions((options ?? new AxonOptions()) with { Address = IPAddress.Loopback, Port = 0 })
            .WithClock(Clock)
            .WithLogging(_loggerFactory);
        configure(builder);
        Host = builder.Build();
    }

    public ManualClock Clock { get; } = new();

    public MemoryMetagraphView Metagraph { get; } = new();

    public Ed25519KeyPair AxonKey { get; } = Ed25519KeyPair.Generate();

    public Ed25519KeyPair Validator { get; } = Ed25519KeyPair.Generate();

    public Ed25519KeyPair Miner { get; } = Ed25519KeyPair.Generate();

    public Ed25519KeyPair Stranger { get; } = Ed25519KeyPair.Generate();

    public AxonHost Host { get; }

    public AxonTarget Target => new(Host.Endpoint, AxonKey.PublicKey);

    public HttpClient Raw { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Set by a test that expects the axon to log an error (a failing handler).</summary>
    public bool ErrorsExpected { get; set; }

    public IReadOnlyList<(LogLevel Level, string Category, string Message, Exception? Exception)> Logs => _logs.Entries;

    public static async Task<AxonTestEnvironment> StartAsync(Action<AxonBuilder>? configure = null, AxonOptions? options = null)
    {
        AxonTestEnvironment environment = new(configure ?? (static _ => { }), options);
        await environment.Host.StartAsync(TestContext.Current.CancellationToken);
        return environment;
    }

    public Dendrite DendriteOf(Ed25519KeyPair wallet, HttpMessageHandler? handler = null)
    {
        HttpClient http = handler is null
            ? new HttpClient { Timeout = Timeout.InfiniteTimeSpan }
            : new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _disposables.Add(http);
        return new Dendrite(wallet, http, Clock);
    }

    /// <summary>The signed §3.2 headers a dendrite would send, as a mutable dictionary.</summary>
    public Dictionary<string, string> SignedHeaders(
        Ed25519KeyPair wallet,
        string synapse,
        byte[] body,
        ulong? nonce = null,
        PublicKey? axon = null,
        TimeSpan? timeout = null,
        Guid? uuid = null) =>
        new(RequestSigning.CreateHeaders(
            wallet,
            axon ?? AxonKey.PublicKey,
            synapse,
            body,
            timeout ?? TimeSpan.FromSeconds(5),
            nonce ?? UnixNanos.From(Clock.UtcNow),
            uuid ?? Guid.NewGuid()));

    /// <summary>Sends a hand-made request and checks the answer is signed by the axon for these headers.</summary>
    public async Task<RawResponse> SendRawAsync(string path, Dictionary<string, string> headers, byte[] body, HttpMethod? method = null)
    {
        using HttpRequestMessage request = new(method ?? HttpMethod.Post, new Uri(Host.Endpoint, path));
        if (method is null || method == HttpMethod.Post)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        foreach ((string name, string value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using HttpResponseMessage response = await Raw.SendAsync(request, TestContext.Current.CancellationToken);
        byte[] responseBody = await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
        bool signed = ResponseSigning.TryVerify(
            name => response.Headers.TryGetValues(name, out IEnumerable<string>? values) || response.Content.Headers.TryGetValues(name, out values)
                ? values.Single()
                : null,
            AxonKey.PublicKey,
            headers.GetValueOrDefault(HeaderNames.DendriteHotkey, string.Empty),
            headers.GetValueOrDefault(HeaderNames.ComputedBodyHash, string.Empty),
            responseBody,
            out _);
        string? allow = response.Content.Headers.Allow.Count > 0 ? string.Join(',', response.Content.Headers.Allow) : null;
        return new RawResponse(response.StatusCode, System.Text.Encoding.UTF8.GetString(responseBody), signed, allow);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        foreach (IDisposable disposable in _disposables)
        {
            disposable.Dispose();
        }

        Raw.Dispose();
        AxonKey.Dispose();
        Validator.Dispose();
        Miner.Dispose();
        Stranger.Dispose();
        _loggerFactory.Dispose();
        if (!ErrorsExpected)
        {
            Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Error);
        }
    }
}

public sealed record RawResponse(HttpStatusCode Status, string Body, bool SignatureValid, string? Allow);
