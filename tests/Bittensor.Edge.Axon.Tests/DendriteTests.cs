// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Net.Sockets;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Signing;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Axon.Tests;

public class DendriteTests
{
    [Fact]
    public async Task A_tampered_response_body_is_reported_as_502()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        using Tamper tamper = new(response =>
        {
            byte[] body = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            body[^2] ^= 0x01;
            response.Content = new ByteArrayContent(body);
        });

        DendriteResult<HealthResponse> result = await env.DendriteOf(env.Validator, tamper).HealthAsync(env.Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.BadGateway, result.Status);
        Assert.Null(result.Response);
        Assert.True(result.IsLocal);
    }

    [Theory]
    [InlineData(HeaderNames.AxonSignature)]
    [InlineData(HeaderNames.AxonNonce)]
    [InlineData(HeaderNames.ComputedBodyHash)]
    public async Task A_response_missing_a_signed_header_is_reported_as_502(string header)
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        using Tamper tamper = new(response => response.Headers.Remove(header));

        DendriteResult<HealthResponse> result = await env.DendriteOf(env.Validator, tamper).HealthAsync(env.Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.BadGateway, result.Status);
    }

    [Fact]
    public async Task A_changed_HTTP_status_is_reported_as_502()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        using Tamper tamper = new(response => response.StatusCode = HttpStatusCode.Accepted);

        DendriteResult<HealthResponse> result = await env.DendriteOf(env.Validator, tamper).HealthAsync(env.Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.BadGateway, result.Status);
    }

    [Fact]
    public async Task An_answer_signed_by_another_axon_than_the_one_meant_is_reported_as_502()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        AxonTarget impostor = new(env.Host.Endpoint, env.Stranger.PublicKey);

        DendriteResult<HealthResponse> result = await env.DendriteOf(env.Validator).HealthAsync(impostor, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.BadGateway, result.Status);
    }

    [Fact]
    public async Task Connection_refused_is_reported_as_503()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        AxonTarget closed = new(new Uri($"http://127.0.0.1:{port}/"), env.AxonKey.PublicKey);

        DendriteResult<HealthResponse> result = await env.DendriteOf(env.Validator).HealthAsync(closed, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.ServiceUnavailable, result.Status);
        Assert.True(result.IsLocal);
    }

    [Fact]
    public async Task A_connection_reset_before_an_answer_is_reported_as_503()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        AxonTarget rude = new(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"), env.AxonKey.PublicKey);

        Task<DendriteResult<HealthResponse>> call = env.DendriteOf(env.Validator).HealthAsync(rude, cancellationToken: TestContext.Current.CancellationToken);
        using (Socket accepted = await listener.AcceptSocketAsync(TestContext.Current.CancellationToken))
        {
            accepted.LingerState = new LingerOption(true, 0);
        }

        DendriteResult<HealthResponse> result = await call;

        Assert.Equal(AxonStatus.ServiceUnavailable, result.Status);
    }

    [Fact]
    public async Task No_answer_within_timeout_plus_half_a_second_is_a_local_408()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        using TcpListener silent = new(IPAddress.Loopback, 0);
        silent.Start();
        AxonTarget target = new(new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/"), env.AxonKey.PublicKey);

        Task<DendriteResult<HealthResponse>> call = env.DendriteOf(env.Validator).HealthAsync(target, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        using Socket accepted = await silent.AcceptSocketAsync(TestContext.Current.CancellationToken);
        while (env.Clock.PendingDelays == 0)
        {
            await Task.Yield();
        }

        env.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.False(call.IsCompleted);
        env.Clock.Advance(TimeSpan.FromMilliseconds(500));
        DendriteResult<HealthResponse> result = await call;

        Assert.Equal(AxonStatus.Timeout, result.Status);
        Assert.True(result.IsLocal);
    }

    [Fact]
    public async Task A_signed_200_whose_body_is_not_the_expected_response_is_a_local_422()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();

        DendriteResult<InferenceResponse> result = await env.DendriteOf(env.Validator).CallAsync(
            env.Target,
            SynapseNames.Health,
            new HealthRequest(),
            ProtocolJsonContext.Default.HealthRequest,
            ProtocolJsonContext.Default.InferenceResponse,
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.UnprocessableEntity, result.Status);
        Assert.NotNull(result.Headers);
        Assert.Null(result.Response);
    }

    [Fact]
    public async Task A_verified_response_is_a_receipt_bound_to_the_request()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();

        DendriteResult<HealthResponse> result = await env.DendriteOf(env.Validator).HealthAsync(env.Target, cancellationToken: TestContext.Current.CancellationToken);

        ResponseHeaders receipt = result.Headers!;
        Assert.Equal(Sha256.Hash(result.Body.Span), receipt.BodyHash);
        Assert.Equal(UnixNanos.From(env.Clock.UtcNow), receipt.AxonNonce);
        Assert.Equal(TimeSpan.Zero, receipt.ProcessTime);
    }

    [Fact]
    public async Task Caller_cancellation_throws_instead_of_returning_a_status()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        using CancellationTokenSource cancelled = new();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => env.DendriteOf(env.Validator).HealthAsync(env.Target, cancellationToken: cancelled.Token));
    }

    private sealed class Tamper(Action<HttpResponseMessage> change) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            change(response);
            return response;
        }
    }
}
