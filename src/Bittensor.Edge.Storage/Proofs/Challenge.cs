// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Storage.Proofs;

/// <summary>
/// Challenge derivation (specs/storage-proofs.md §4): a seed bound to a block, the validator's fresh nonce and the
/// miner's hotkey, and the leaf indices drawn from it by rejection sampling over all leaves of the miner's sectors.
/// </summary>
/// <remarks>
/// <para>Byte layouts (all fixed size, no length prefixes):</para>
/// <list type="table">
/// <item><term>seed input</term><description>[0, 16) ASCII <c>bte/challenge/v1</c>; [16, 48) block hash; [48, 80) validator nonce; [80, 112) miner hotkey</description></item>
/// <item><term>draw input</term><description>[0, 32) seed; [32, 36) u32 LE item index i; [36, 40) u32 LE attempt j</description></item>
/// </list>
/// <para>The spec writes <c>u32 i ‖ u32 j</c> without an endianness; little-endian is this project's encoding
/// everywhere (SCALE, and the <c>u64 LE</c> read of the same digest).</para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class Challenge
{
    /// <summary>The domain tag of the seed.</summary>
    public const string SeedTag = "bte/challenge/v1";

    private const int TagSize = 16;
    private const int SeedInputSize = TagSize + (3 * 32);
    private const int DrawInputSize = 32 + 4 + 4;

    /// <summary><c>SHA-256("bte/challenge/v1" ‖ blockHash ‖ validatorNonce ‖ minerHotkey)</c>.</summary>
    public static Hash256 DeriveSeed(in Hash256 blockHash, in Hash256 validatorNonce, in PublicKey minerHotkey)
    {
        Span<byte> input = stackalloc byte[SeedInputSize];
        int written = Encoding.ASCII.GetBytes(SeedTag, input);
        System.Diagnostics.Debug.Assert(written == TagSize);
        blockHash.Bytes.CopyTo(input.Slice(TagSize));
        validatorNonce.Bytes.CopyTo(input.Slice(TagSize + 32));
        minerHotkey.Bytes.CopyTo(input.Slice(TagSize + 64));
        Span<byte> seed = stackalloc byte[32];
        SHA256.HashData(input, seed);
        return new Hash256(seed);
    }

    /// <summary>
    /// Draws <paramref name="k"/> items over <paramref name="sectors"/>, which the caller lists in the spec's order:
    /// the validator's live sectors with this miner, sorted by <c>(storedAtBlock, root)</c> (see <see cref="SortSectors"/>).
    /// Sampling is with replacement; duplicates stay.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not 1..64, or there are no sectors.</exception>
    public static SectorLeaf[] DeriveItems(in Hash256 seed, ReadOnlySpan<Hash256> sectors, int k)
    {
        SectorLeaf[] items = new SectorLeaf[ValidateK(k)];
        DeriveItems(seed, sectors, items);
        return items;
    }

    /// <summary>Draws <c>destination.Length</c> items (1..64) into <paramref name="destination"/>; see the allocating overload.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The destination length is not 1..64, or there are no sectors.</exception>
    public static void DeriveItems(in Hash256 seed, ReadOnlySpan<Hash256> sectors, Span<SectorLeaf> destination)
    {
        ValidateK(destination.Length);
        if (sectors.IsEmpty)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(sectors), 0, "A challenge needs at least one sector.");
        }

        ulong leaves = (ulong)sectors.Length * StorageConstants.LeavesPerSector;

        // ⌊2⁶⁴/N⌋·N, exactly: 2⁶⁴ itself when N is a power of two, so then every draw is accepted.
        UInt128 limit = (((UInt128)1 << 64) / leaves) * leaves;
        Span<byte> input = stackalloc byte[DrawInputSize];
        Span<byte> digest = stackalloc byte[32];
        seed.Bytes.CopyTo(input);
        for (int i = 0; i < destination.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(input.Slice(32), (uint)i);
            ulong r;
            uint j = 0;
            do
            {
                BinaryPrimitives.WriteUInt32LittleEndian(input.Slice(36), j++);
                SHA256.HashData(input, digest);
                r = BinaryPrimitives.ReadUInt64LittleEndian(digest);
            }
            while (r >= limit);

            ulong g = r % leaves;
            destination[i] = new SectorLeaf(sectors[(int)(g / StorageConstants.LeavesPerSector)], (int)(g % StorageConstants.LeavesPerSector));
        }
    }

    /// <summary>Sorts sectors into the challenge order of §4: by <c>storedAtBlock</c>, then by root bytes.</summary>
    public static void SortSectors(Span<(ulong StoredAtBlock, Hash256 Root)> sectors) =>
        sectors.Sort(static (a, b) => a.StoredAtBlock != b.StoredAtBlock ? a.StoredAtBlock.CompareTo(b.StoredAtBlock) : a.Root.CompareTo(b.Root));

    private static int ValidateK(int k)
    {
        if (k < 1 || k > StorageConstants.MaxChallengeItems)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(k), k, $"k must be 1..{StorageConstants.MaxChallengeItems}.");
        }

        return k;
    }
}
