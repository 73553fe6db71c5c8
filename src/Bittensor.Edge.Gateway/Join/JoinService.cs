// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Protocol.Fleet;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Gateway.Join;

/// <summary>
/// The gateway side of the join exchange (fleet.md §3): <c>hello</c> → <c>challenge</c> (the bus key's signature, a
/// fresh 32-byte server nonce valid 60 s, once, for this client only) → <c>proof</c> → <c>accepted</c> or
/// <c>rejected</c>. The proof is checked in this order: the nonce (issued to this client, &lt; 60 s, unused), the
/// device signature, the token (exists), its MAC (constant time against the stored verifier), then, atomically with
/// the write, revoked / expired / uses left / board (<see cref="FleetStore.TryEnroll"/>). The MAC comes before the
/// token's state so that only a token holder learns whether it is used, expired or revoked.
/// </summary>
/// <remarks>
/// Every refusal is a <see cref="JoinRejected"/> answer and a log line; malformed input never throws. A challenge is
/// consumed by the first proof that names it, whatever its outcome, so a server nonce works once. Thread-safe.
/// </remarks>
public sealed class JoinService
{
    private const int MaxBoardLength = 64;
    private const int MaxSerialLength = 128;
    private const int MaxFwLength = 64;

    private readonly string _fleetId;
    private readonly Ed25519KeyPair _busKey;
    private readonly FleetStore _store;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PendingChallenge> _pending = new(StringComparer.Ordinal);

    /// <summary>A join service for <paramref name="fleetId"/>, signing with <paramref name="busKey"/> (not owned).</summary>
    public JoinService(string fleetId, Ed25519KeyPair busKey, FleetStore store, IClock clock, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(fleetId);
        ArgumentNullException.ThrowIfNull(busKey);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        _fleetId = fleetId;
        _busKey = busKey;
        _store = store;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Challenges outstanding now.</summary>
    public int PendingChallenges
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Answers one message from join client <paramref name="clientId"/>.</summary>
    public JoinMessage Handle(string clientId, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        if (!JoinMessage.TryDecode(payload, out JoinMessage? message))
        {
            return Reject(clientId, JoinRejectReasons.BadProof, "malformed join message");
        }

        return message switch
        {
            JoinHello hello => OnHello(clientId, hello),
            JoinProof proof => OnProof(clientId, proof),
            _ => Reject(clientId, JoinRejectReasons.BadProof, $"unexpected message type {message!.GetType().Name}"),
        };
    }

    private JoinMessage OnHello(string clientId, JoinHello hello)
    {
        if (hello.DevicePub is not { Length: PublicKey.Size } || hello.ClientNonce is not { Length: JoinTranscript.NonceSize })
        {
            return Reject(clientId, JoinRejectReasons.BadProof, "hello: devicePub and clientNonce must be 32 bytes");
        }

        if (!IsBoardId(hello.Board) || hello.Serial is null || hello.Serial.Length > MaxSerialLength || hello.Fw is null || hello.Fw.Length > MaxFwLength)
        {
            return Reject(clientId, JoinRejectReasons.BadProof, "hello: board, serial or fw missing or too long");
        }

        PublicKey devicePub = new(hello.DevicePub);
        byte[] serverNonce = RandomNumberGenerator.GetBytes(JoinTranscript.NonceSize);
        Signature sig = _busKey.Sign(JoinTranscript.Challenge(_fleetId, devicePub, hello.ClientNonce, serverNonce));
        TimeSpan now = _clock.Elapsed;
        lock (_lock)
        {
            if (_pending.Count >= GatewayConstants.MaxPendingChallenges && !_pending.ContainsKey(clientId))
            {
                Evict(now);
            }

            // A new hello replaces this client's earlier challenge: only the newest nonce is valid.
            _pending[clientId] = new PendingChallenge(hello, devicePub, serverNonce, now);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            string deviceId = DeviceIds.FromPublicKey(devicePub);
            Log.JoinChallenged(_logger, clientId, deviceId, hello.Board);
        }

        return new JoinChallenge(_busKey.PublicKey.ToArray(), serverNonce, sig.Bytes.ToArray());
    }

    private JoinMessage OnProof(string clientId, JoinProof proof)
    {
        PendingChallenge? challenge;
        lock (_lock)
        {
            // Consumed whatever the outcome: a server nonce is good for one proof.
            _pending.Remove(clientId, out challenge);
        }

        if (challenge is null)
        {
            return Reject(clientId, JoinRejectReasons.BadProof, "proof without an outstanding challenge (nonce never issued to this client, or already used)");
        }

        if (_clock.Elapsed - challenge.IssuedAt >= GatewayConstants.ServerNonceLifetime)
        {
            return Reject(clientId, JoinRejectReasons.BadProof, "the server nonce is older than 60 s");
        }

        if (proof.TokenId is not { Length: JoinTranscript.TokenIdSize } || proof.Sig is not { Length: Signature.Size })
        {
            return Reject(clientId, JoinRejectReasons.BadProof, "proof: tokenId must be 8 bytes and sig 64");
        }

        byte[] transcript = JoinTranscript.Proof(_fleetId, _busKey.PublicKey, challenge.DevicePub, challenge.Hello.ClientNonce, challenge.ServerNonce, proof.TokenId);
        if (!Ed25519.Verify(challenge.DevicePub, transcript, proof.Sig))
        {
            return Reject(clientId, JoinRejectReasons.BadProof, "the device signature does not verify");
        }

        string tokenId = JoinToken.FormatTokenId(proof.TokenId);
        if (tokenId != EnrollmentRecord.PreauthorizedTokenId)
        {
            if (!_store.TryGetToken(tokenId, out TokenRecord? token))
            {
                return Reject(clientId, JoinRejectReasons.TokenUnknown, $"no token {tokenId}");
            }

            if (proof.Mac is null || !JoinTranscript.MacMatches(token.Verifier, transcript, proof.Mac))
            {
                return Reject(clientId, JoinRejectReasons.BadProof, $"the MAC does not match token {tokenId}");
            }
        }
        else if (proof.Mac is not null)
        {
            return Reject(clientId, JoinRejectReasons.BadProof, "a preauthorized join carries no MAC");
        }

        EnrollOutcome outcome = _store.TryEnroll(challenge.Hello, challenge.DevicePub, tokenId, _clock.UtcNow, out EnrollmentRecord? enrollment);
        string? reason = outcome switch
        {
            EnrollOutcome.Enrolled or EnrollOutcome.AlreadyEnrolled => null,
            EnrollOutcome.TokenUnknown => JoinRejectReasons.TokenUnknown,
            EnrollOutcome.TokenRevoked => JoinRejectReasons.TokenRevoked,
            EnrollOutcome.TokenExpired => JoinRejectReasons.TokenExpired,
            EnrollOutcome.TokenUsed => JoinRejectReasons.TokenUsed,
            _ => JoinRejectReasons.BoardNotAllowed,
        };
        if (reason is not null)
        {
            return Reject(clientId, reason, $"token {tokenId}: {outcome}");
        }

        string deviceId = enrollment!.DeviceId;
        if (outcome == EnrollOutcome.Enrolled)
        {
            Log.DeviceEnrolled(_logger, deviceId, enrollment.Board, enrollment.Serial, tokenId);
        }
        else
        {
            Log.DeviceRejoined(_logger, deviceId);
        }

        Signature sig = _busKey.Sign(JoinTranscript.Accepted(_fleetId, challenge.DevicePub, challenge.ServerNonce, deviceId));
        return new JoinAccepted(deviceId, sig.Bytes.ToArray());
    }

    private JoinRejected Reject(string clientId, string reason, string detail)
    {
        Log.JoinRejected(_logger, clientId, reason, detail);
        return new JoinRejected(reason);
    }

    // Under _lock: drop expired challenges, then the oldest, so a flood of hellos cannot grow memory without bound.
    private void Evict(TimeSpan now)
    {
        foreach (string id in _pending.Where(kv => now - kv.Value.IssuedAt >= GatewayConstants.ServerNonceLifetime).Select(kv => kv.Key).ToList())
        {
            _pending.Remove(id);
        }

        if (_pending.Count >= GatewayConstants.MaxPendingChallenges)
        {
            _pending.Remove(_pending.MinBy(kv => kv.Value.IssuedAt).Key);
        }
    }

    /// <summary>A board profile id: 1–64 of a–z, 0–9 and '-'.</summary>
    internal static bool IsBoardId(string? board)
    {
        if (string.IsNullOrEmpty(board) || board.Length > MaxBoardLength)
        {
            return false;
        }

        foreach (char c in board)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    private sealed record PendingChallenge(JoinHello Hello, PublicKey DevicePub, byte[] ServerNonce, TimeSpan IssuedAt);
}
