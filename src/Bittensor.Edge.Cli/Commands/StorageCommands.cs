// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Cli.Commands.Storage;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte storage ...</c>: a local sector store, proofs, and the storage benchmark (storage-proofs.md).</summary>
internal static class StorageCommands
{
    /// <summary>The recursive quota option's name.</summary>
    public const string QuotaOptionName = "--quota-gib";

    /// <summary>The recursive reserve option's name.</summary>
    public const string ReserveOptionName = "--reserve-fraction";

    public static Command Create()
    {
        Command storage = new("storage", "Store files as 4 MiB sectors, prove and verify challenges, and benchmark the store.");
        Option<string?> store = new("--store")
        {
            Description = "Store directory (default: $BTE_STORE_PATH, else ~/.bittensor-edge/store).",
            Recursive = true,
        };
        storage.Options.Add(store);
        storage.Options.Add(new Option<double?>(QuotaOptionName)
        {
            Description = "Most sector data the store accepts, in GiB (storage.quotaBytes; default 16). Puts beyond it fail with 'at its quota'.",
            Recursive = true,
        });
        storage.Options.Add(new Option<double?>(ReserveOptionName)
        {
            Description = "Fraction of the file system that puts leave free, 0 to 0.9 (storage.reserveFraction; default 0.10). Puts that would go below it fail with 'the file system is full'.",
            Recursive = true,
        });
        storage.Subcommands.Add(StorageActions.PutCommand(store));
        storage.Subcommands.Add(StorageActions.GetCommand(store));
        storage.Subcommands.Add(StorageActions.DeleteCommand(store));
        storage.Subcommands.Add(StorageActions.ListCommand(store));
        storage.Subcommands.Add(StorageActions.QuotaCommand(store));
        storage.Subcommands.Add(StorageActions.GcCommand(store));
        storage.Subcommands.Add(StorageActions.ProveCommand(store));
        storage.Subcommands.Add(StorageActions.VerifyCommand());
        storage.Subcommands.Add(StorageBenchCommand.Create());
        return storage;
    }
}
