// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Net.Http.Headers;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Signing;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Protocol.Verification;

namespace Bittensor.Edge.Axon.Tests;

public class AxonHostTests
{
    [Fact]
    public void The_default_options_bind_port_8091()
    {
        Assert.Equal(8091, new AxonOptions().Port);
        Assert.Equal(IPAddress.Any, new AxonOptions().Address);
    }

    [Fact]
    public async Task RunAsync_serves_until_cancelled_and_then_refuses_connections()
    {
        using Ed25519KeyPair axonKey = Ed25519KeyPair.Generate();
        using Ed25519KeyPair validator = Ed25519KeyPair.Generate();
        MemoryMetagraphView metagraph = new();
        metagraph.Set(validator.PublicKey, validatorPermit: true, stakeRao: 1);
        ManualClock clock = new();
        await using AxonHost host = new AxonBuilder(axonKey, metagraph)
            .WithOptions(new AxonOptions { Address = IPAddress.Loopback, Port = 0 })
            .WithClock(clock)
            .Build();
        using CancellationTokenSource stop = new();
        await host.StartAsync(TestContext.Current.CancellationToken);
        Task running = host.RunAsync(stop.Token);
        using Dendrite dendrite = new(validator, clock);
        AxonTarget target = new(host.Endpoint, axonKey.PublicKey);

        DendriteResult<HealthResponse> before = await dendrite.HealthAsync(target, cancellationToken: TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await running;
        DendriteResult<HealthResponse> after = await dendrite.HealthAsync(target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.Ok, before.Status);
        Assert.Equal(AxonStatus.ServiceUnavailable, after.Status);
        Assert.Equal([SynapseNames.Health], host.Synapses);
    }

    [Fact]
    public void Mapping_Health_or_the_same_synapse_twice_is_refused()
    {
        using Ed25519KeyPair axonKey = Ed25519KeyPair.Generate();
        AxonBuilder builder = new(axonKey, new MemoryMetagraphView());
        SynapseHandler<HealthRequest, HealthResponse> handler = (_, _, _) => throw new InvalidOperationException();
        builder.Map("Custom", ProtocolJsonContext.Default.HealthRequest, ProtocolJsonContext.Default.HealthResponse, handler);

        Assert.Throws<ArgumentException>(() => builder.Map(SynapseNames.Health, ProtocolJsonContext.Default.HealthRequest, ProtocolJsonContext.Default.HealthResponse, handler));
        Assert.Throws<ArgumentException>(() => builder.Map("Custom", ProtocolJsonContext.Default.HealthRequest, ProtocolJsonContext.Default.HealthResponse, handler));
        Assert.Throws<ArgumentException>(() => builder.Map("bad/name", ProtocolJsonContext.Default.HealthRequest, ProtocolJsonContext.Default.HealthResponse, handler));
    }

    [Fact]
    public async Task A_request_without_Content_Length_gets_400()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        byte[] body = "{}"u8.ToArray();
        Dictionary<string, string> headers = env.SignedHeaders(env.Validator, SynapseNames.Health, body);
        using HttpRequestMessage request = new(HttpMethod.Post, new Uri(env.Host.Endpoint, SynapseNames.Health));
        request.Content = new StreamContent(new MemoryStream(body));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        foreach ((string name, string value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using HttpResponseMessage response = await env.Raw.SendAsync(request, TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("LengthRequired", text, StringComparison.Ordinal);
        Assert.True(response.Headers.Contains(HeaderNames.AxonSignature));
    }

    [Fact]
    public async Task A_repeated_header_is_malformed()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        byte[] body = "{}"u8.ToArray();
        Dictionary<string, string> headers = env.SignedHeaders(env.Validator, SynapseNames.Health, body);
        using HttpRequestMessage request = new(HttpMethod.Post, new Uri(env.Host.Endpoint, SynapseNames.Health)) { Content = new ByteArrayContent(body) };
        foreach ((string name, string value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation(HeaderNames.DendriteNonce, "1");

        using HttpResponseMessage response = await env.Raw.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
