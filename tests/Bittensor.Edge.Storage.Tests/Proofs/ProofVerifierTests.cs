// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;
using Bittensor.Edge.Storage.Sectors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Bittensor.Edge.Storage.Tests.Proofs;

public sealed class ProofVerifierTests
{
    private static readonly byte[] s_sector = TestSectors.Create(10);
    private static readonly Hash256 s_root = SectorTree.ComputeRoot(s_sector);

    private static SectorLeafProof Honest(int leaf)
    {
        (byte[] data, byte[] path) = TestSectors.ReferenceProof(s_sector, leaf);
        return new SectorLeafProof(s_root, leaf, data, path);
    }

    [Fact]
    public void Every_leaf_proved_by_the_store_verifies_and_equals_the_reference_proof()
    {
        using MemorySectorStore store = new(new SectorStoreOptions(), new ManualClock());
        Assert.Equal(PutStatus.Stored, store.Put(s_root, s_sector, 10));
        using SectorProver prover = new(store);
        SectorLeaf[] items = Enumerable.Range(0, StorageConstants.LeavesPerSector).Select(i => new SectorLeaf(s_root, i)).ToArray();

        Assert.Equal(ProveStatus.Proved, prover.Prove(items, out SectorLeafProof?[] proofs));
        Assert.Equal(ChallengeVerdict.Valid, ProofVerifier.VerifyChallenge(items, proofs));
        foreach (int leaf in new[] { 0, 1, 15, 16, 17, 511, 1022, 1023 })
        {
            SectorLeafProof reference = Honest(leaf);
            Assert.Equal(reference.Data, proofs[leaf]!.Data);
            Assert.Equal(reference.Path, proofs[leaf]!.Path);
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(4095, 7)]
    [InlineData(2048, 3)]
    public void One_flipped_bit_in_the_leaf_data_fails(int offset, int bit)
    {
        SectorLeafProof proof = Honest(300);
        proof.Data![offset] ^= (byte)(1 << bit);
        Assert.Equal(ProofStatus.RootMismatch, ProofVerifier.VerifyItem(new SectorLeaf(s_root, 300), proof));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4 * 32)]
    [InlineData(319)]
    public void One_flipped_bit_in_the_path_fails(int offset)
    {
        SectorLeafProof proof = Honest(300);
        proof.Path![offset] ^= 0x80;
        Assert.Equal(ProofStatus.RootMismatch, ProofVerifier.VerifyItem(new SectorLeaf(s_root, 300), proof));
    }

    [Fact]
    public void Proof_of_a_neighbouring_leaf_does_not_answer_the_asked_leaf()
    {
        SectorLeafProof other = Honest(301);
        Assert.Equal(ProofStatus.ItemMismatch, ProofVerifier.VerifyItem(new SectorLeaf(s_root, 300), other));

        // Relabelled as leaf 300 it is well formed but hashes elsewhere.
        SectorLeafProof relabelled = new(s_root, 300, other.Data, other.Path);
        Assert.Equal(ProofStatus.RootMismatch, ProofVerifier.VerifyItem(new SectorLeaf(s_root, 300), relabelled));
    }

    [Fact]
    public void Root_sent_in_the_proof_is_never_trusted()
    {
        // A self-consistent proof over different data, naming its own root: FileTAO's hole.
        byte[] forged = TestSectors.Create(11);
        Hash256 forgedRoot = SectorTree.ComputeRoot(forged);
        (byte[] data, byte[] path) = TestSectors.ReferenceProof(forged, 5);
        Assert.Equal(ProofStatus.Valid, ProofVerifier.VerifyLeaf(forgedRoot, 5, data, path));

        Assert.Equal(ProofStatus.ItemMismatch, ProofVerifier.VerifyItem(new SectorLeaf(s_root, 5), new SectorLeafProof(forgedRoot, 5, data, path)));
        Assert.Equal(ProofStatus.RootMismatch, ProofVerifier.VerifyItem(new SectorLeaf(s_root, 5), new SectorLeafProof(s_root, 5, data, path)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1024)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void Leaf_index_out_of_range_is_rejected(int leaf)
    {
        SectorLeafProof proof = Honest(0);
        Assert.Equal(ProofStatus.LeafOutOfRange, ProofVerifier.VerifyLeaf(s_root, leaf, proof.Data, proof.Path));
        Assert.Equal(ProofStatus.LeafOutOfRange, ProofVerifier.VerifyItem(new SectorLeaf(s_root, leaf), new SectorLeafProof(s_root, leaf, proof.Data, proof.Path)));
    }

    [Theory]
    [InlineData(4095, 320)]
    [InlineData(4097, 320)]
    [InlineData(0, 320)]
    [InlineData(4096, 319)]
    [InlineData(4096, 352)]
    [InlineData(4096, 0)]
    public void Data_or_path_of_the_wrong_length_is_malformed(int dataLength, int pathLength)
    {
        SectorLeafProof proof = new(s_root, 3, new byte[dataLength], new byte[pathLength]);
        Assert.Equal(ProofStatus.Malformed, ProofVerifier.VerifyItem(new SectorLeaf(s_root, 3), proof));
    }

    [Fact]
    public void Missing_arrays_or_a_missing_proof_are_malformed_not_exceptions()
    {
        SectorLeaf item = new(s_root, 3);
        Assert.Equal(ProofStatus.Malformed, ProofVerifier.VerifyItem(item, null));
        Assert.Equal(ProofStatus.Malformed, ProofVerifier.VerifyItem(item, new SectorLeafProof(s_root, 3, null, new byte[320])));
        Assert.Equal(ProofStatus.Malformed, ProofVerifier.VerifyItem(item, new SectorLeafProof(s_root, 3, new byte[4096], null)));
        Assert.Equal(new ChallengeVerdict(ProofStatus.Malformed, 1), ProofVerifier.VerifyChallenge([item, item], [Honest(3), null]));
    }

    [Fact]
    public void Wrong_number_of_proofs_fails_the_whole_challenge()
    {
        SectorLeaf[] items = [new(s_root, 1), new(s_root, 2)];
        Assert.Equal(ProofStatus.WrongItemCount, ProofVerifier.VerifyChallenge(items, [Honest(1)]).Status);
        Assert.Equal(ProofStatus.WrongItemCount, ProofVerifier.VerifyChallenge(items, [Honest(1), Honest(2), Honest(2)]).Status);
        Assert.Equal(ProofStatus.WrongItemCount, ProofVerifier.VerifyChallenge(items, null).Status);
        Assert.Equal(ProofStatus.WrongItemCount, ProofVerifier.VerifyChallenge([], []).Status);
        Assert.True(ProofVerifier.VerifyChallenge(items, [Honest(1), Honest(2)]).IsValid);
    }

    [Property(MaxTest = 200)]
    public Property Random_garbage_never_verifies_and_never_throws(int leaf, byte[] data, byte[] path, bool rightSizes)
    {
        byte[] d = rightSizes ? Resize(data, StorageConstants.LeafSize) : data;
        byte[] p = rightSizes ? Resize(path, StorageConstants.PathSize) : path;
        ProofStatus status = ProofVerifier.VerifyItem(new SectorLeaf(s_root, leaf), new SectorLeafProof(s_root, leaf, d, p));
        return (status != ProofStatus.Valid).Label($"status {status}");
    }

    private static byte[] Resize(byte[]? source, int length)
    {
        byte[] result = new byte[length];
        if (source is { Length: > 0 })
        {
            for (int i = 0; i < length; i++)
            {
                result[i] = (byte)(source[i % source.Length] + i);
            }
        }

        return result;
    }
}
