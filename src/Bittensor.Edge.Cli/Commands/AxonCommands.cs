// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Net;
using Bittensor.Edge.Cli.Commands.Axon;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Cli.Commands.Wallet;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Storage.Sectors;

namespace Bittensor.Edge.Cli.Commands;

/// <summary><c>bte axon serve</c>: a standalone miner axon on x64.</summary>
internal static class AxonCommands
{
    public static Command Create() => Create(WalletCliEnvironment.Default);

    internal static Command Create(WalletCliEnvironment environment)
    {
        ChainOptions options = new(environment);
        Option<ushort> netuid = new("--netuid") { Description = "The subnet the wallet's hotkey is registered on.", Required = true };
        Option<string> host = new("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        Option<int> port = new("--port") { Description = "Port to listen on (0 picks a free port).", DefaultValueFactory = _ => ProtocolConstants.DefaultPort };
        Option<string?> externalIp = new("--external-ip") { Description = "Address announced on chain for validators to call (default: --host)." };
        Option<bool> noAnnounce = new("--no-announce") { Description = "Serve without submitting serve_axon (keep the address already on chain)." };
        Option<string?> store = new("--store") { Description = "Directory of the sector store (default: $BTE_STORE_PATH, else ~/.bittensor-edge/store)." };
        Option<string?> models = new("--models")
        {
            Description = "Model folder: registry.json and its <sha256>.onnx files, as bte inference models add writes them (default: $BTE_MODELS_PATH, else ~/.bittensor-edge/models). Every verified model is served; a refused one is reported and skipped.",
        };
        Option<double> reserve = new("--reserve-fraction")
        {
            Description = "Fraction of the store's file system that storage puts leave free, 0 to 0.9 (default 0.10); a put that would go below it is refused as disk full.",
            DefaultValueFactory = _ => SectorStoreOptions.DefaultReserveFraction,
        };
        Command serve = new("serve", "Serve a miner axon (Health, the storage synapses and Inference from a local model folder), blacklisting by the chain's metagraph, and announce it with serve_axon.")
        {
            netuid, host, port, externalIp, noAnnounce, store, models, reserve,
        };
        options.AddSigning(serve);
        serve.SetAction(async (result, ct) =>
        {
            TextWriter error = result.InvocationConfiguration.Error;
            if (!IPAddress.TryParse(result.GetValue(host), out IPAddress? listen))
            {
                await error.WriteLineAsync($"error: --host '{result.GetValue(host)}' is not an IP address, such as 127.0.0.1 or 0.0.0.0.").ConfigureAwait(false);
                return ChainCliContext.Usage;
            }

            IPAddress? external = null;
            string? externalText = result.GetValue(externalIp);
            if (externalText is not null && !IPAddress.TryParse(externalText, out external))
            {
                await error.WriteLineAsync($"error: --external-ip '{externalText}' is not an IP address.").ConfigureAwait(false);
                return ChainCliContext.Usage;
            }

            int portValue = result.GetValue(port);
            if (portValue is < 0 or > ushort.MaxValue)
            {
                await error.WriteLineAsync($"error: --port {portValue} is not a TCP port (0..65535).").ConfigureAwait(false);
                return ChainCliContext.Usage;
            }

            if (new SectorStoreOptions { ReserveFraction = result.GetValue(reserve) }.Validate() is string badReserve)
            {
                await error.WriteLineAsync($"error: --reserve-fraction: {badReserve}").ConfigureAwait(false);
                return ChainCliContext.Usage;
            }

            string storePath = result.GetValue(store) ?? AxonServeAction.DefaultStorePath(environment.GetEnvironmentVariable);
            string modelsPath = result.GetValue(models) ?? AxonServeAction.DefaultModelsPath(environment.GetEnvironmentVariable);
            AxonServeSettings settings = new(result.GetValue(netuid), listen, portValue, external, !result.GetValue(noAnnounce), storePath, modelsPath, result.GetValue(reserve));
            return await ChainCliContext.RunAsync(result, options, (c, t) => AxonServeAction.RunAsync(c, settings, t), ct).ConfigureAwait(false);
        });
        return new Command("axon", "Run a standalone miner axon on this machine.") { serve };
    }
}
