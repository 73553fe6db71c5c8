// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Storage.Tests.Sectors;

/// <summary>The store's in-memory root → tree-slot map, including roots ground to share a 64-bit prefix.</summary>
public sealed class SectorSlotMapTests
{
    [Fact]
    public void A_mapped_root_is_a_candidate_at_its_slot_and_an_unmapped_one_is_absent()
    {
        SectorSlotMap map = new();
        Hash256 a = Root(1, 0);

        map.Add(a, 7);

        Assert.Equal(SlotLookup.Candidate, map.Find(a, out int slot));
        Assert.Equal(7, slot);
        Assert.Equal(SlotLookup.Absent, map.Find(Root(2, 0), out _));
        map.Move(a, 9);
        Assert.Equal(SlotLookup.Candidate, map.Find(a, out slot));
        Assert.Equal(9, slot);
        map.Remove(a);
        Assert.Equal(SlotLookup.Absent, map.Find(a, out _));
    }

    [Fact]
    public void Roots_sharing_a_prefix_are_sent_to_the_index_from_then_on_even_after_one_is_removed()
    {
        SectorSlotMap map = new();
        Hash256 a = Root(1, 0);
        Hash256 b = Root(1, 1); // the same first 8 bytes

        map.Add(a, 3);
        map.Add(b, 4);

        Assert.Equal(SlotLookup.AskIndex, map.Find(a, out _));
        Assert.Equal(SlotLookup.AskIndex, map.Find(b, out _));
        map.Remove(a);
        Assert.Equal(SlotLookup.AskIndex, map.Find(b, out _));
        Assert.Equal(0, map.Count);
    }

    // A root whose first 8 bytes are `prefix` and whose last byte is `tail`.
    private static Hash256 Root(ulong prefix, byte tail)
    {
        byte[] bytes = new byte[Hash256.Size];
        BitConverter.TryWriteBytes(bytes, prefix);
        bytes[^1] = tail;
        return new Hash256(bytes);
    }
}
