// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Miner.Device;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Telemetry.Bus;
using MQTTnet;
using MQTTnet.Protocol;

namespace Bittensor.Edge.Miner.Fleet;

/// <summary>How a join attempt ended.</summary>
public enum JoinOutcomeKind
{
    /// <summary>Enrolled: <see cref="JoinOutcome.DeviceId"/> is the gateway's confirmed id.</summary>
    Accepted,

    /// <summary>The gateway refused: <see cref="JoinOutcome.Reason"/> is one of <see cref="JoinRejectReasons"/>. Retrying will not help.</summary>
    Rejected,

    /// <summary>
    /// The gateway did not prove the pinned key (wrong <c>gatewayPub</c> or a bad signature). Nothing secret was sent;
    /// retrying the same gateway will not help.
    /// </summary>
    WrongGateway,

    /// <summary>The broker was unreachable, refused the connection, or answered nothing in time: worth retrying.</summary>
    Failed,
}

/// <summary>The result of <see cref="JoinClient.JoinAsync"/>.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="DeviceId">The enrolled id when accepted.</param>
/// <param name="Reason">Why it did not succeed, for the log (never the token).</param>
/// <param name="TokenId">The token id presented (16 hex digits).</param>
public sealed record JoinOutcome(JoinOutcomeKind Kind, string? DeviceId, string? Reason, string TokenId);

/// <summary>
/// The device side of the join exchange (fleet.md §3) over MQTT 5 with MQTTnet: connects as user <c>join</c> with client
/// id <c>join-&lt;16 hex&gt;</c>, publishes <c>hello</c> on <c>{base}/join/{clientId}/req</c> and reads
/// <c>{base}/join/{clientId}/resp</c>. It aborts unless the challenge's <c>gatewayPub</c> equals the pinned key and its
/// signature verifies; then it sends the <c>proof</c> (HMAC keyed by SHA-256 of the token, and the device signature;
/// the token itself never crosses the wire) and checks the gateway's signature on <c>accepted</c>. A device without a
/// token joins as preauthorized: token id of 8 zero bytes and no MAC.
/// </summary>
/// <remarks>Stateless between calls; each call is one attempt on its own connection. Thread-safe.</remarks>
public sealed class JoinClient
{
    /// <summary>How long each answer of the gateway may take.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The maximum packet size the join connection announces: 64 KiB, far above any join answer (a challenge or an
    /// acceptance is under 1 KB). A larger message is read past unheld and never taken for an answer.
    /// </summary>
    public const int JoinMaximumPacketBytes = 64 * 1024;

    private static readonly MqttClientFactory s_factory = new();
    private readonly IClock _clock;

    /// <summary>A join client timing its waits on <paramref name="clock"/>.</summary>
    public JoinClient(IClock clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
    }

    /// <summary>A fresh join client id: <c>join-</c> and 16 lowercase hex digits.</summary>
    public static string NewClientId() => "join-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Runs one join attempt. Never throws for network or protocol trouble: that is a <see cref="JoinOutcomeKind.Failed"/>.</summary>
    public async Task<JoinOutcome> JoinAsync(FirstBootConfig config, Ed25519KeyPair deviceKey, string board, string serial, string firmware, string clientId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(deviceKey);
        PublicKey pinned = config.GetGatewayKey();
        byte[] tokenId = new byte[JoinTranscript.TokenIdSize];
        JoinToken? token = null;
        if (config.JoinToken is { } text && !JoinToken.TryParse(text, out token))
        {
            return new JoinOutcome(JoinOutcomeKind.Rejected, null, "the first-boot joinToken is malformed", "");
        }

        token?.TokenId.CopyTo(tokenId, 0);
        string tokenIdHex = JoinToken.FormatTokenId(tokenId);
        FleetTopics topics = FleetTopics.ForFleet(config.FleetId);
        Uri broker = new(config.Gateway.Mqtt);
        Channel<byte[]> answers = Channel.CreateBounded<byte[]>(4);
        // Through the bus's adapter, which never holds a packet over the announced maximum: before the join the broker is
        // not yet trusted (over plain mqtt:// at least), and no join answer comes near JoinMaximumPacketBytes.
        using IMqttClient client = s_factory.CreateMqttClient(new BusChannelAdapterFactory());
        client.ApplicationMessageReceivedAsync += e =>
        {
            answers.Writer.TryWrite(e.ApplicationMessage.Payload.ToArray());
            return Task.CompletedTask;
        };

        try
        {
            MqttClientConnectResult connected = await client.ConnectAsync(ClientOptions(broker, clientId, config.Gateway.TlsSha256), cancellationToken).ConfigureAwait(false);
            if (connected.ResultCode != MqttClientConnectResultCode.Success)
            {
                return connected.ReasonString == JoinRejectReasons.RateLimited || connected.ResultCode == MqttClientConnectResultCode.QuotaExceeded
                    ? new JoinOutcome(JoinOutcomeKind.Failed, null, $"the broker rate-limits join connects ({connected.ResultCode})", tokenIdHex)
                    : new JoinOutcome(JoinOutcomeKind.Failed, null, $"the broker refused the join connection: {connected.ResultCode} {connected.ReasonString}", tokenIdHex);
            }

            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topics.JoinResponse(clientId), MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
            byte[] clientNonce = RandomNumberGenerator.GetBytes(JoinTranscript.NonceSize);
            await PublishAsync(client, topics.JoinRequest(clientId), new JoinHello(deviceKey.PublicKey.ToArray(), board, serial, firmware, clientNonce), cancellationToken).ConfigureAwait(false);

            JoinMessage? answer = await ReadAsync(answers.Reader, cancellationToken).ConfigureAwait(false);
            if (answer is JoinRejected early)
            {
                return new JoinOutcome(JoinOutcomeKind.Rejected, null, early.Reason, tokenIdHex);
            }

            if (answer is not JoinChallenge challenge)
            {
                return new JoinOutcome(JoinOutcomeKind.Failed, null, answer is null ? "no challenge from the gateway in time" : $"expected a challenge, got {answer.GetType().Name}", tokenIdHex);
            }

            if (challenge.GatewayPub is not { Length: PublicKey.Size } || !new PublicKey(challenge.GatewayPub).Equals(pinned))
            {
                return new JoinOutcome(JoinOutcomeKind.WrongGateway, null, "the gateway's key is not the pinned gateway.publicKey of the first-boot file", tokenIdHex);
            }

            if (challenge.ServerNonce is not { Length: JoinTranscript.NonceSize } serverNonce || challenge.Sig is not { Length: Signature.Size }
                || !Ed25519.Verify(pinned, JoinTranscript.Challenge(config.FleetId, deviceKey.PublicKey, clientNonce, serverNonce), challenge.Sig))
            {
                return new JoinOutcome(JoinOutcomeKind.WrongGateway, null, "the challenge is not signed by the pinned gateway key", tokenIdHex);
            }

            byte[] transcript = JoinTranscript.Proof(config.FleetId, pinned, deviceKey.PublicKey, clientNonce, serverNonce, tokenId);
            byte[]? mac = token is null ? null : JoinTranscript.Mac(token.Verifier, transcript);
            await PublishAsync(client, topics.JoinRequest(clientId), new JoinProof(tokenId, deviceKey.Sign(transcript).Bytes.ToArray(), mac), cancellationToken).ConfigureAwait(false);

            answer = await ReadAsync(answers.Reader, cancellationToken).ConfigureAwait(false);
            switch (answer)
            {
                case JoinRejected rejected:
                    return new JoinOutcome(JoinOutcomeKind.Rejected, null, rejected.Reason, tokenIdHex);
                case JoinAccepted accepted:
                    string expectedId = DeviceIds.FromPublicKey(deviceKey.PublicKey);
                    if (accepted.DeviceId != expectedId || accepted.Sig is not { Length: Signature.Size }
                        || !Ed25519.Verify(pinned, JoinTranscript.Accepted(config.FleetId, deviceKey.PublicKey, serverNonce, accepted.DeviceId), accepted.Sig))
                    {
                        return new JoinOutcome(JoinOutcomeKind.WrongGateway, null, "the acceptance is not signed by the pinned gateway key for this device", tokenIdHex);
                    }

                    return new JoinOutcome(JoinOutcomeKind.Accepted, accepted.DeviceId, null, tokenIdHex);
                case null:
                    return new JoinOutcome(JoinOutcomeKind.Failed, null, "no answer to the proof in time", tokenIdHex);
                default:
                    return new JoinOutcome(JoinOutcomeKind.Failed, null, $"expected accepted or rejected, got {answer.GetType().Name}", tokenIdHex);
            }
        }
        catch (Exception e) when (e is MQTTnet.Adapter.MqttConnectingFailedException or MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new JoinOutcome(JoinOutcomeKind.Failed, null, e.InnerException?.Message ?? e.Message, tokenIdHex);
        }
        finally
        {
            if (client.IsConnected)
            {
                try
                {
                    await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None).ConfigureAwait(false);
                }
                catch (MQTTnet.Exceptions.MqttCommunicationException)
                {
                    // Gone already.
                }
            }
        }
    }

    private static MqttClientOptions ClientOptions(Uri broker, string clientId, string? tlsSha256)
    {
        bool tls = broker.Scheme == "mqtts";
        int port = broker.IsDefaultPort || broker.Port < 0 ? (tls ? 8883 : 1883) : broker.Port;
        MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
            .WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500)
            .WithTcpServer(broker.Host, port)
            .WithClientId(clientId)
            .WithCredentials("join", "")
            .WithMaximumPacketSize(JoinMaximumPacketBytes)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30));
        if (tls)
        {
            builder.WithTlsOptions(o =>
            {
                o.UseTls(true).WithTargetHost(broker.Host);
                o.WithCertificateValidationHandler(args => args.Certificate is not null && tlsSha256 is not null
                    && string.Equals(Convert.ToHexStringLower(SHA256.HashData(args.Certificate.GetRawCertData())), tlsSha256, StringComparison.OrdinalIgnoreCase));
            });
        }

        return builder.Build();
    }

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, string topic, JoinMessage message, CancellationToken cancellationToken) =>
        client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(JoinMessage.Encode(message))
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithContentType("application/json")
                .Build(),
            cancellationToken);

    // The next well-formed join message within AnswerTimeout (malformed ones are skipped), or null on timeout.
    private async Task<JoinMessage?> ReadAsync(ChannelReader<byte[]> answers, CancellationToken cancellationToken)
    {
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task expiry = _clock.DelayAsync(AnswerTimeout, timeout.Token);
        _ = expiry.ContinueWith(static (t, state) =>
        {
            if (t.IsCompletedSuccessfully)
            {
                ((CancellationTokenSource)state!).Cancel();
            }
        }, timeout, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            while (true)
            {
                byte[] payload = await answers.ReadAsync(timeout.Token).ConfigureAwait(false);
                if (JoinMessage.TryDecode(payload, out JoinMessage? message))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            await timeout.CancelAsync().ConfigureAwait(false);
        }
    }
}
