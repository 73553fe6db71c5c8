// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace Bittensor.Edge.Gateway.Tests.Support;

/// <summary>
/// A device built only on the Protocol/Fleet contract and real MQTTnet: it joins (§3), logs in with signed passwords,
/// and serves storage.put/prove (a real <see cref="MemorySectorStore"/> and <see cref="SectorProver"/>) and infer.run
/// (a real ONNX Runtime session of the bundled model) on rpc/req, answering in envelopes signed by its key. Switches
/// make it misbehave for the fault tests.
/// </summary>
internal sealed class TestDevice : IAsyncDisposable
{
    private readonly GatewayFixture _fixture;
    private readonly List<MqttTestClient> _clients = [];
    private readonly MemorySectorStore _sectors = new(new SectorStoreOptions { QuotaBytes = 64L * 1024 * 1024 }, new ManualClock());
    private ModelSession? _session;

    public TestDevice(GatewayFixture fixture, string board)
    {
        _fixture = fixture;
        Board = board;
        DeviceId = DeviceIds.FromPublicKey(Key.PublicKey);
    }

    public Ed25519KeyPair Key { get; } = Ed25519KeyPair.Generate();

    public string Board { get; }

    public string Serial { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    public string DeviceId { get; }

    /// <summary>Answers signed by this key instead of the device's own (a forger).</summary>
    public Ed25519KeyPair? SignResponsesWith { get; set; }

    /// <summary>Flip a byte of every proven leaf (a cheater).</summary>
    public bool CorruptProofs { get; set; }

    /// <summary>Commands received and verified against the gateway key: name → header.</summary>
    public List<(string Name, BusRequestHeader Header)> Commands { get; } = [];

    public static string NewJoinClientId() => "join-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Opens a join session (user join, a fresh join client id) subscribed to its response topic.</summary>
    public async Task<JoinSession> OpenJoinAsync(string? clientId = null)
    {
        clientId ??= NewJoinClientId();
        (MqttTestClient client, MqttClientConnectResult result) = await MqttTestClient.ConnectAsync(_fixture.Port, clientId, "join", "");
        _clients.Add(client);
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await client.SubscribeAsync(_fixture.Topics.JoinResponse(clientId)));
        return new JoinSession(this, _fixture, client, clientId);
    }

    /// <summary>The full join with <paramref name="token"/> (null: preauthorized, token id 0, no MAC).</summary>
    public async Task<JoinMessage> JoinAsync(string? token)
    {
        JoinSession session = await OpenJoinAsync();
        JoinChallenge challenge = await session.HelloAsync();
        return await session.SendAsync(session.Proof(challenge, token));
    }

    /// <summary>The login password at <paramref name="unixSeconds"/> (default: the gateway clock's now).</summary>
    public string Password(long? unixSeconds = null, Ed25519KeyPair? signer = null) =>
        MqttLogin.CreatePassword(signer ?? Key, DeviceId, unixSeconds ?? _fixture.Clock.UtcNow.ToUnixTimeSeconds());

    /// <summary>Connects as the device (username and client id = device id).</summary>
    public async Task<(MqttTestClient Client, MqttClientConnectResult Result)> ConnectAsync(string? password = null, string? clientId = null, Action<MqttClientOptionsBuilder>? configure = null)
    {
        (MqttTestClient client, MqttClientConnectResult result) = await MqttTestClient.ConnectAsync(_fixture.Port, clientId ?? DeviceId, DeviceId, password ?? Password(), configure);
        _clients.Add(client);
        return (client, result);
    }

    /// <summary>Connects and serves rpc/req and cmd/# until disposed.</summary>
    public async Task<MqttTestClient> ConnectAndServeAsync()
    {
        (MqttTestClient client, MqttClientConnectResult result) = await ConnectAsync();
        Assert.Equal(MqttClientConnectResultCode.Success, result.ResultCode);
        client.Client.ApplicationMessageReceivedAsync += e => OnRequestAsync(client, e.ApplicationMessage);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await client.SubscribeAsync(_fixture.Topics.RpcRequest(DeviceId)));
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, await client.SubscribeAsync(_fixture.Topics.CommandFilter(DeviceId)));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (MqttTestClient client in _clients)
        {
            await client.DisposeAsync();
        }

        _session?.Dispose();
        _sectors.Dispose();
        Key.Dispose();
    }

    private async Task OnRequestAsync(MqttTestClient client, MqttApplicationMessage message)
    {
        byte[] correlation = message.CorrelationData ?? [];
        if (!BusEnvelope.TryOpen(MqttTestClient.PayloadOf(message), correlation, _fixture.BusKey.PublicKey, out BusEnvelope envelope, out _))
        {
            return; // The device drops anything not signed by its pinned gateway key.
        }

        BusRequestHeader request = BusRequestHeader.Decode(envelope.Header.Span);
        if (_fixture.Topics.TryParseDeviceTopic(message.Topic, out _, out string rest) && rest.StartsWith("cmd/", StringComparison.Ordinal))
        {
            lock (Commands)
            {
                Commands.Add((rest[4..], request));
            }

            return;
        }

        (byte[] header, byte[] body) = Serve(request, envelope.Body);
        byte[] sealedResponse = BusEnvelope.Seal(correlation, header, body, SignResponsesWith ?? Key);
        await client.PublishAsync(message.ResponseTopic, sealedResponse, correlation: correlation);
    }

    private (byte[] Header, byte[] Body) Serve(BusRequestHeader request, ReadOnlyMemory<byte> body)
    {
        switch (request.Method)
        {
            case BusMethods.StoragePut:
            {
                StoragePutParams put = request.ReadParams(FleetJsonContext.Default.StoragePutParams);
                PutStatus status = _sectors.Put(put.Root, body.Span, ulong.MaxValue);
                return status is PutStatus.Stored or PutStatus.AlreadyStored
                    ? (BusResponseHeader.Success(new StoragePutResult(put.Root, true), FleetJsonContext.Default.StoragePutResult), [])
                    : (BusResponseHeader.Failure(BusErrors.RootMismatch, status.ToString()), []);
            }

            case BusMethods.StorageProve:
            {
                StorageProveParams prove = request.ReadParams(FleetJsonContext.Default.StorageProveParams);
                SectorLeaf[] items = [.. prove.Items.Select(i => new SectorLeaf(i.Root, i.Leaf))];
                using SectorProver prover = new(_sectors);
                if (prover.Prove(items, out SectorLeafProof?[] proofs) != ProveStatus.Proved)
                {
                    return (BusResponseHeader.Failure(BusErrors.UnknownSector, "not held"), []);
                }

                byte[] leaves = new byte[items.Length * StorageConstants.LeafSize];
                List<BusLeafProof> result = [];
                for (int i = 0; i < items.Length; i++)
                {
                    proofs[i]!.Data!.CopyTo(leaves, i * StorageConstants.LeafSize);
                    result.Add(new BusLeafProof(items[i].Root, items[i].Leaf, proofs[i]!.Path!));
                }

                if (CorruptProofs)
                {
                    leaves[0] ^= 1;
                }

                return (BusResponseHeader.Success(new StorageProveResult(result), FleetJsonContext.Default.StorageProveResult), leaves);
            }

            case BusMethods.InferRun:
            {
                InferRunParams run = request.ReadParams(FleetJsonContext.Default.InferRunParams);
                ModelSession session = Session(run.Model);
                BusInferItem item = run.Items[0];
                int rows = (int)item.Tensors[0].Shape[0];
                for (int i = 0; i < item.Tensors.Count; i++)
                {
                    BusTensor t = item.Tensors[i];
                    body.Span.Slice((int)t.Offset, (int)t.Length).CopyTo(session.InputBuffer(i, rows));
                }

                session.Run(rows);
                List<BusTensor> outputs = [];
                using MemoryStream output = new();
                for (int o = 0; o < session.Signature.Outputs.Count; o++)
                {
                    TensorSpec spec = session.Signature.Outputs[o];
                    ReadOnlySpan<byte> data = session.OutputBuffer(o, rows);
                    outputs.Add(new BusTensor(spec.Name, TensorDType.Float32, spec.ShapeFor(rows), output.Position, data.Length));
                    output.Write(data);
                }

                return (BusResponseHeader.Success(new InferRunResult([new BusInferItem(outputs)], 1), FleetJsonContext.Default.InferRunResult), output.ToArray());
            }

            default:
                return (BusResponseHeader.Failure(BusErrors.UnknownMethod, request.Method), []);
        }
    }

    private ModelSession Session(string model)
    {
        if (_session is null)
        {
            GeneratedModel generated = BundledModels.Create(model);
            ModelEntry entry = ModelInspector.CreateEntry(model, generated.Bytes, new EntryOptions(), NullLogger.Instance);
            _session = ModelSession.Create(model, generated.Bytes, entry.ToSignature(), new SessionSettings(), new FixedExecutionProviderCatalog([]), NullLogger.Instance);
        }

        return _session;
    }

    /// <summary>One join client connection: send messages, read answers.</summary>
    internal sealed class JoinSession(TestDevice device, GatewayFixture fixture, MqttTestClient client, string clientId)
    {
        public string ClientId { get; } = clientId;

        public MqttTestClient Client { get; } = client;

        public byte[] ClientNonce { get; } = RandomNumberGenerator.GetBytes(32);

        public async Task<JoinMessage> SendRawAsync(byte[] payload)
        {
            Assert.Equal(MqttClientPublishReasonCode.Success, await Client.PublishAsync(fixture.Topics.JoinRequest(ClientId), payload));
            MqttApplicationMessage answer = await Client.ReceiveOnAsync(fixture.Topics.JoinResponse(ClientId));
            Assert.True(JoinMessage.TryDecode(MqttTestClient.PayloadOf(answer), out JoinMessage? message));
            return message!;
        }

        public Task<JoinMessage> SendAsync(JoinMessage message) => SendRawAsync(JoinMessage.Encode(message));

        public JoinHello Hello() => new(device.Key.PublicKey.ToArray(), device.Board, device.Serial, "0.1.0-test", ClientNonce);

        /// <summary>Sends hello and checks the challenge the way a device must (gateway key pinned, signature valid).</summary>
        public async Task<JoinChallenge> HelloAsync()
        {
            JoinMessage answer = await SendAsync(Hello());
            JoinChallenge challenge = Assert.IsType<JoinChallenge>(answer);
            Assert.Equal(fixture.BusKey.PublicKey.ToArray(), challenge.GatewayPub);
            byte[] signed = JoinTranscript.Challenge(GatewayFixture.FleetId, device.Key.PublicKey, ClientNonce, challenge.ServerNonce);
            Assert.True(Ed25519.Verify(fixture.BusKey.PublicKey, signed, challenge.Sig));
            return challenge;
        }

        /// <summary>The proof for <paramref name="challenge"/> with <paramref name="token"/> (null: preauthorized).</summary>
        public JoinProof Proof(JoinChallenge challenge, string? token, byte[]? macOverride = null, Ed25519KeyPair? signer = null)
        {
            byte[] tokenId = new byte[JoinTranscript.TokenIdSize];
            JoinToken? parsed = null;
            if (token is not null)
            {
                Assert.True(JoinToken.TryParse(token, out parsed));
                tokenId = parsed.TokenId;
            }

            byte[] transcript = JoinTranscript.Proof(GatewayFixture.FleetId, new PublicKey(challenge.GatewayPub), device.Key.PublicKey, ClientNonce, challenge.ServerNonce, tokenId);
            byte[]? mac = macOverride ?? (parsed is null ? null : JoinTranscript.Mac(parsed.Verifier, transcript));
            return new JoinProof(tokenId, (signer ?? device.Key).Sign(transcript).Bytes.ToArray(), mac);
        }
    }
}
