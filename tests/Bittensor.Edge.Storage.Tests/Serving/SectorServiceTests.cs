// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Security.Cryptography;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;
using Bittensor.Edge.Storage.Serving;

namespace Bittensor.Edge.Storage.Tests.Serving;

public sealed class SectorServiceTests : IDisposable
{
    private readonly MemorySectorStore _store = new(new SectorStoreOptions { QuotaBytes = 2L * StorageConstants.SectorSize }, new ManualClock());
    private readonly SectorOwnerLog _owners = new();
    private readonly PublicKey _validator = new(RandomNumberGenerator.GetBytes(32));
    private readonly PublicKey _otherValidator = new(RandomNumberGenerator.GetBytes(32));

    public void Dispose()
    {
        _owners.Dispose();
        _store.Dispose();
    }

    [Fact]
    public void Store_checks_the_root_and_size_keeps_the_expiry_and_reports_the_quota()
    {
        SectorService service = new(_store, _owners);
        byte[] a = TestSectors.Create(1);
        Hash256 root = SectorTree.ComputeRoot(a);

        Assert.Equal(PutStatus.WrongSize, service.Store(root, a.AsSpan(1), 10, _validator));
        Assert.Equal(PutStatus.RootMismatch, service.Store(SectorTree.ComputeRoot(TestSectors.Create(2)), a, 10, _validator));
        Assert.False(_owners.IsOwner(root, _validator));
        Assert.Equal(PutStatus.Stored, service.Store(root, a, 10, _validator));
        Assert.True(_store.TryGetInfo(root, out SectorInfo info));
        Assert.Equal(10UL, info.ExpiresAtBlock);
        Assert.Equal(PutStatus.Stored, service.Store(SectorTree.ComputeRoot(TestSectors.Create(3)), TestSectors.Create(3), 10, _validator));
        Assert.Equal(PutStatus.QuotaExceeded, service.Store(SectorTree.ComputeRoot(TestSectors.Create(4)), TestSectors.Create(4), 10, _validator));
        Assert.Equal(0, service.Usage.FreeBytes);
        Assert.Equal(a, service.Retrieve(root));
        Assert.Null(service.Retrieve(SectorTree.ComputeRoot(TestSectors.Create(4))));
    }

    [Fact]
    public void Answer_proves_items_in_order_for_the_validator_that_stored_them_and_refuses_bad_challenges()
    {
        SectorService service = new(_store, _owners);
        byte[] a = TestSectors.Create(1);
        Hash256 root = SectorTree.ComputeRoot(a);
        Assert.Equal(PutStatus.Stored, service.Store(root, a, 10, _validator));
        SectorLeaf[] items = [new(root, 1023), new(root, 0), new(root, 1023)];

        Assert.Equal(ChallengeAnswerStatus.Proved, service.Answer(_validator, 3, items, out SectorLeafProof[] proofs));
        Assert.Equal([1023, 0, 1023], proofs.Select(p => p.Leaf));
        Assert.True(ProofVerifier.VerifyChallenge(items, proofs).IsValid);
        Assert.Equal(ChallengeAnswerStatus.BadChallenge, service.Answer(_otherValidator, 3, items, out _));
        Assert.Equal(ChallengeAnswerStatus.BadChallenge, service.Answer(_validator, 2, items, out _));
        Assert.Equal(ChallengeAnswerStatus.BadChallenge, service.Answer(_validator, 65, new SectorLeaf[65], out _));
        Assert.Equal(ChallengeAnswerStatus.BadChallenge, service.Answer(_validator, 1, [new(root, 1024)], out _));

        Assert.True(_store.Delete(root));
        Assert.Equal(ChallengeAnswerStatus.UnknownSector, service.Answer(_validator, 1, [new(root, 3)], out SectorLeafProof[] none));
        Assert.Empty(none);
    }

    [Fact]
    public void The_owner_log_survives_a_reopen_and_skips_a_torn_last_line()
    {
        using TempDirectory temp = new();
        string path = temp.Combine("owners.log");
        Hash256 root = SectorTree.ComputeRoot(TestSectors.Create(5));
        using (SectorOwnerLog log = SectorOwnerLog.Open(path))
        {
            log.Add(root, _validator);
            log.Add(root, _validator);
            log.Add(root, _otherValidator);
        }

        File.AppendAllText(path, "deadbeef");
        using SectorOwnerLog reopened = SectorOwnerLog.Open(path);

        Assert.True(reopened.IsOwner(root, _validator));
        Assert.True(reopened.IsOwner(root, _otherValidator));
        Assert.False(reopened.IsOwner(SectorTree.ComputeRoot(TestSectors.Create(6)), _validator));
        Assert.Equal(2, File.ReadAllLines(path).Count(l => l.Length == 129));
    }
}
