// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Signing;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Axon.Tests;

public class AxonPipelineTests
{
    private static readonly byte[] s_empty = "{}"u8.ToArray();

    [Fact]
    public async Task A_valid_signed_Health_request_gets_200_with_a_valid_response_signature()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(
            b => b.WithHealth(() => new AxonHealth(77, new StorageSummary(3, 1_000), new InferenceSummary(["mlp-tiny-v1"]), 2)));
        env.Clock.Advance(TimeSpan.FromSeconds(7));

        DendriteResult<HealthResponse> result = await env.DendriteOf(env.Validator).HealthAsync(env.Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.Ok, result.Status);
        Assert.NotNull(result.Headers);
        Assert.Equal(env.AxonKey.PublicKey, result.Headers.AxonHotkey);
        Assert.Equal(env.AxonKey.Ss58Address, result.Response!.Hotkey);
        Assert.Equal(7UL, result.Response.UptimeS);
        Assert.Equal(77UL, result.Response.BestBlockSeen);
        Assert.Equal(new StorageSummary(3, 1_000), result.Response.Storage);
        Assert.Equal(["mlp-tiny-v1"], result.Response.Inference.Models);
        Assert.Equal(2, result.Response.DevicesOnline);
        Assert.Equal("0.1.0", result.Response.Version);
    }

    [Fact]
    public async Task Health_is_open_to_a_registered_hotkey_without_a_permit()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();

        DendriteResult<HealthResponse> result = await env.DendriteOf(env.Miner).HealthAsync(env.Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.Ok, result.Status);
    }

    [Fact]
    public async Task An_unsigned_request_gets_401()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        Dictionary<string, string> headers = env.SignedHeaders(env.Validator, SynapseNames.Health, s_empty);
        headers.Remove(HeaderNames.DendriteSignature);

        RawResponse response = await env.SendRawAsync("Health", headers, s_empty);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Contains("BadSignature", response.Body, StringComparison.Ordinal);
        Assert.True(response.SignatureValid);
    }

    [Fact]
    public async Task A_bad_signature_gets_401()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        Dictionary<string, string> headers = env.SignedHeaders(env.Validator, SynapseNames.Health, s_empty);
        char[] signature = headers[HeaderNames.DendriteSignature].ToCharArray();
        signature[10] = signature[10] == 'a' ? 'b' : 'a';
        headers[HeaderNames.DendriteSignature] = new string(signature);

        RawResponse response = await env.SendRawAsync("Health", headers, s_empty);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.True(response.SignatureValid);
    }

    [Fact]
    public async Task A_replayed_nonce_for_the_same_hotkey_and_uuid_gets_401()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        Dictionary<string, string> headers = env.SignedHeaders(env.Validator, SynapseNames.Health, s_empty);

        RawResponse first = await env.SendRawAsync("Health", headers, s_empty);
        RawResponse replay = await env.SendRawAsync("Health", headers, s_empty);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.Status);
        Assert.Contains("ReplayedNonce", replay.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_signature_does_not_burn_the_nonce()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        Dictionary<string, string> headers = env.SignedHeaders(env.Validator, SynapseNames.Health, s_empty);
        Dictionary<string, string> forged = new(headers) { [HeaderNames.DendriteSignature] = "0x" + new string('0', 128) };

        RawResponse rejected = await env.SendRawAsync("Health", forged, s_empty);
        RawResponse genuine = await env.SendRawAsync("Health", headers, s_empty);

        Assert.Equal(HttpStatusCode.Unauthorized, rejected.Status);
        Assert.Equal(HttpStatusCode.OK, genuine.Status);
    }

    [Theory]
    [InlineData(-9_001, "StaleNonce")]
    [InlineData(4_001, "FutureNonce")]
    public async Task A_nonce_outside_the_window_gets_401(int offsetMs, string code)
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        ulong now = UnixNanos.From(env.Clock.UtcNow);
        ulong nonce = (ulong)((long)now + (offsetMs * 1_000_000L));
        Dictionary<string, string> headers = env.SignedHeaders(env.Validator, SynapseNames.Health, s_empty, nonce: nonce, timeout: TimeSpan.FromSeconds(5));

        RawResponse response = await env.SendRawAsync("Health", headers, s_empty);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Contains(code, response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_for_another_axon_hotkey_gets_401()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        Dictionary<string, string> headers = env.SignedHeaders(env.Validator, SynapseNames.Health, s_empty, axon: env.Stranger.PublicKey);

        RawResponse response = await env.SendRawAsync("Health", headers, s_empty);

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Contains("WrongAxon", response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_does_not_match_its_hash_gets_400()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        Dictionary<string, string> headers = env.SignedHeaders(env.Validator, SynapseNames.Health, s_empty);

        RawResponse response = await env.SendRawAsync("Health", headers, "[]"u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("BodyHashMismatch", response.Body, StringComparison.Ordinal);
        Assert.True(response.SignatureValid);
    }

    [Fact]
    public async Task A_body_over_8_MiB_gets_413()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        byte[] body = new byte[ProtocolConstants.MaxBodyBytes + 1];

        DendriteResult result = await env.DendriteOf(env.Validator).CallAsync(env.Target, SynapseNames.Health, body, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.PayloadTooLarge, result.Status);
        Assert.NotNull(result.Headers);
    }

    [Theory]
    [InlineData(HeaderNames.DendriteNonce)]
    [InlineData(HeaderNames.DendriteHotkey)]
    [InlineData(HeaderNames.Name)]
    [InlineData(HeaderNames.ComputedBodyHash)]
    public async Task A_missing_header_gets_400(string missing)
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        Dictionary<string, string> headers = env.SignedHeaders(env.Validator, SynapseNames.Health, s_empty);
        headers.Remove(missing);

        RawResponse response = await env.SendRawAsync("Health", headers, s_empty);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains(missing, response.Body, StringComparison.Ordinal);
        Assert.True(response.SignatureValid);
    }

    [Fact]
    public async Task An_unknown_synapse_gets_404()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();

        DendriteResult result = await env.DendriteOf(env.Validator).CallAsync(env.Target, "Nope", s_empty, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.NotFound, result.Status);
        Assert.Equal("UnknownSynapse", result.Error?.Error);
    }

    [Fact]
    public async Task GET_on_a_known_route_gets_405_allowing_POST()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();

        RawResponse response = await env.SendRawAsync("Health", [], [], HttpMethod.Get);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.Status);
        Assert.Equal("POST", response.Allow);
        Assert.True(response.SignatureValid);
    }

    [Fact]
    public async Task An_unregistered_caller_gets_403()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();

        DendriteResult<HealthResponse> result = await env.DendriteOf(env.Stranger).HealthAsync(env.Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.Forbidden, result.Status);
        Assert.Equal("Unregistered", result.Error?.Error);
    }

    [Fact]
    public async Task A_data_synapse_from_a_caller_without_a_validator_permit_gets_403()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(
            b => b.MapRetrieveChunk((request, _, _) => ValueTask.FromResult<SynapseResult<RetrieveChunkResponse>>(new RetrieveChunkResponse(request.Root, new byte[StorageSizes.SectorBytes]))));

        DendriteResult<RetrieveChunkResponse> result = await env.DendriteOf(env.Miner)
            .RetrieveChunkAsync(env.Target, new RetrieveChunkRequest(Bittensor.Edge.Core.Crypto.Sha256.Hash(s_empty)), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.Forbidden, result.Status);
        Assert.Equal("NoValidatorPermit", result.Error?.Error);
    }

    [Fact]
    public async Task A_data_synapse_from_a_caller_under_the_minimum_stake_gets_403()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(
            b => b.MapRetrieveChunk((_, _, _) => ValueTask.FromResult<SynapseResult<RetrieveChunkResponse>>(new DomainError(DomainErrorCodes.UnknownSector, "none"))),
            new AxonOptions { MinStakeRao = 1_001 });

        DendriteResult<RetrieveChunkResponse> result = await env.DendriteOf(env.Validator)
            .RetrieveChunkAsync(env.Target, new RetrieveChunkRequest(Bittensor.Edge.Core.Crypto.Sha256.Hash(s_empty)), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.Forbidden, result.Status);
        Assert.Equal("InsufficientStake", result.Error?.Error);
    }

    [Fact]
    public async Task A_caller_without_a_permit_is_rate_limited_after_a_burst_of_40_and_refills_at_20_per_second()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        Dendrite dendrite = env.DendriteOf(env.Miner);
        CancellationToken ct = TestContext.Current.CancellationToken;

        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(AxonStatus.Ok, (await dendrite.HealthAsync(env.Target, cancellationToken: ct)).Status);
        }

        DendriteResult<HealthResponse> limited = await dendrite.HealthAsync(env.Target, cancellationToken: ct);
        env.Clock.Advance(TimeSpan.FromMilliseconds(50));
        DendriteResult<HealthResponse> refilled = await dendrite.HealthAsync(env.Target, cancellationToken: ct);
        DendriteResult<HealthResponse> limitedAgain = await dendrite.HealthAsync(env.Target, cancellationToken: ct);

        Assert.Equal(AxonStatus.TooManyRequests, limited.Status);
        Assert.Equal("RateLimited", limited.Error?.Error);
        Assert.Equal(AxonStatus.Ok, refilled.Status);
        Assert.Equal(AxonStatus.TooManyRequests, limitedAgain.Status);
    }

    [Fact]
    public async Task Forged_requests_in_a_callers_name_do_not_spend_its_rate_limit()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();
        CancellationToken ct = TestContext.Current.CancellationToken;

        // 100 unsigned requests claiming to be the miner: more than its burst of 40.
        for (int i = 0; i < 100; i++)
        {
            Dictionary<string, string> forged = env.SignedHeaders(env.Miner, SynapseNames.Health, s_empty);
            forged.Remove(HeaderNames.DendriteSignature);
            Assert.Equal(HttpStatusCode.Unauthorized, (await env.SendRawAsync("Health", forged, s_empty)).Status);
        }

        DendriteResult<HealthResponse> genuine = await env.DendriteOf(env.Miner).HealthAsync(env.Target, cancellationToken: ct);

        Assert.Equal(AxonStatus.Ok, genuine.Status);
    }

    [Fact]
    public async Task A_full_nonce_table_gets_503()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync(options: new AxonOptions { NonceCapacity = 1 });
        Dendrite dendrite = env.DendriteOf(env.Validator);

        DendriteResult<HealthResponse> first = await dendrite.HealthAsync(env.Target, cancellationToken: TestContext.Current.CancellationToken);
        DendriteResult<HealthResponse> second = await dendrite.HealthAsync(env.Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.Ok, first.Status);
        Assert.Equal(AxonStatus.ServiceUnavailable, second.Status);
        Assert.Equal("NonceTableFull", second.Error?.Error);
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_400()
    {
        await using AxonTestEnvironment env = await AxonTestEnvironment.StartAsync();

        DendriteResult result = await env.DendriteOf(env.Validator).CallAsync(env.Target, SynapseNames.Health, "not json"u8.ToArray(), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(AxonStatus.BadRequest, result.Status);
        Assert.Equal("BadJson", result.Error?.Error);
    }
}
