// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Storage.CrashHost;

/// <summary>
/// <c>CrashHost STORE_DIR SEED</c>: opens a <see cref="FileSectorStore"/>, prints <c>ready</c>, then stores sector after
/// sector (sector i filled from <c>new Random(SEED * 1 000 003 + i)</c>) and prints <c>ack &lt;root hex&gt;</c> after each
/// <see cref="PutStatus.Stored"/>, forever. The kill tests SIGKILL it between or during puts.
/// </summary>
public static class Program
{
    /// <summary>Exit codes: 2 usage, 1 a put failed; otherwise it runs until killed.</summary>
    public static int Main(string[] args)
    {
        if (args.Length != 2 || !int.TryParse(args[1], out int seed))
        {
            Console.Error.WriteLine("usage: CrashHost STORE_DIR SEED");
            return 2;
        }

        using FileSectorStore store = FileSectorStore.Open(new SectorStoreOptions { Directory = args[0], ReserveFraction = 0 }, SystemClock.Instance);
        Console.Out.WriteLine($"ready {store.Usage.Sectors}");
        Console.Out.Flush();
        byte[] sector = new byte[StorageConstants.SectorSize];
        for (int i = 0; ; i++)
        {
            new Random((seed * 1_000_003) + i).NextBytes(sector);
            Hash256 root = SectorTree.ComputeRoot(sector);
            PutStatus status = store.Put(root, sector, expiresAtBlock: 1_000);
            if (status != PutStatus.Stored)
            {
                Console.Error.WriteLine($"put {i} failed: {status}");
                return 1;
            }

            Console.Out.WriteLine($"ack {root:x}");
            Console.Out.Flush();
        }
    }
}
