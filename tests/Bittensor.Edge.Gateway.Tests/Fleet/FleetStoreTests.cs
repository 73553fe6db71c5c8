// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Gateway.Fleet;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Gateway.Tests.Fleet;

/// <summary>The LiteDB fleet store: what it was told survives a reopen.</summary>
public sealed class FleetStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bte-fleetstore-").FullName;

    [Fact]
    public void Tokens_enrollments_login_marks_and_revocations_survive_a_reopen()
    {
        DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        JoinToken token = JoinToken.Create();
        using Ed25519KeyPair device = Ed25519KeyPair.Generate();
        using Ed25519KeyPair other = Ed25519KeyPair.Generate();
        string deviceId = DeviceIds.FromPublicKey(device.PublicKey);
        string tokenId = JoinToken.FormatTokenId(token.TokenId);
        Assert.True(FleetStore.TryOpen(_directory, out FleetStore? store, out string? error), error);
        using (store)
        {
            store.AddToken(token, now, TimeSpan.FromDays(7), 2, "rpi4");
            Assert.Equal(EnrollOutcome.Enrolled, store.TryEnroll(new JoinHello(device.PublicKey.ToArray(), "rpi4", "s1", "1", new byte[32]), device.PublicKey, tokenId, now, out _));
            Assert.True(store.TryAcceptLogin(deviceId, 1_700_000_100));
            Assert.False(store.TryAcceptLogin(deviceId, 1_700_000_100));
            Assert.True(store.TryPreauthorize(other.PublicKey, "rpi5", now, out EnrollmentRecord preauth));
            Assert.True(store.TryRevokeEnrollment(preauth.DeviceId, now, out _));
        }

        Assert.True(FleetStore.TryOpen(_directory, out FleetStore? reopened, out error), error);
        using (reopened)
        {
            Assert.True(reopened.TryGetToken(tokenId, out TokenRecord? stored));
            Assert.Equal((1, 2, "rpi4", false), (stored.UsesLeft, stored.Uses, stored.Board, stored.Revoked));
            Assert.Equal(token.Verifier, stored.Verifier);
            Assert.True(reopened.TryGetEnrollment(deviceId, out EnrollmentRecord? enrollment));
            Assert.Equal((EnrollmentState.Active, 1_700_000_100L, device.PublicKey), (enrollment.State, enrollment.LastLoginUnixS, enrollment.DevicePub));
            Assert.False(reopened.TryAcceptLogin(deviceId, 1_700_000_050));
            Assert.True(reopened.TryGetEnrollment(DeviceIds.FromPublicKey(other.PublicKey), out EnrollmentRecord? revoked));
            Assert.Equal(EnrollmentState.Revoked, revoked.State);
        }
    }

    [Fact]
    public void A_file_that_is_not_a_fleet_database_is_refused_with_a_clear_error()
    {
        File.WriteAllText(Path.Combine(_directory, "fleet.db"), "this is not a database");

        Assert.False(FleetStore.TryOpen(_directory, out FleetStore? store, out string? error));
        Assert.Null(store);
        Assert.Contains("not a LiteDB fleet database", error, StringComparison.Ordinal);
        Assert.Equal("this is not a database", File.ReadAllText(Path.Combine(_directory, "fleet.db")));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
