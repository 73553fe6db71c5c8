// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Text.Json;

namespace Bittensor.Edge.Node;

/// <summary>
/// The documented settings file. <c>node.settings.jsonc</c> beside the executable is <see cref="Render"/> with the
/// defaults (a test keeps them equal); <c>init</c> writes it with the new network's paths.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class NodeSettingsTemplate
{
    /// <summary>The file with every key commented: its meaning, default and any security note.</summary>
    public static string Render(NodeSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return string.Create(CultureInfo.InvariantCulture, $$"""
            // bte-node settings (JSON with comments). Later sources win: these values, then BTE_<section>__<key>
            // environment variables (e.g. BTE_rpc__port=9945), then flags (bte-node --help). Relative paths are relative
            // to this file's folder. A bad or unknown key stops the node at start-up with its name.
            {
              "node": {
                // Folder of the chain database (chain.db), created 0700. Default "data". A data folder belongs to one
                // genesis: the node refuses one made for another network. Override: BTE_node__dataDir.
                "dataDir": {{Quote(settings.Node.DataDir)}},
                // The genesis file defining the network (specs/protocol.md §2.9). Default "genesis.json".
                "genesisPath": {{Quote(settings.Node.GenesisPath)}},
                // Where the block author's secret key lives, as a URI (never the key itself):
                //   file:///path/authority.key   a plaintext key file, mode 0600 (relative paths allowed after file://)
                //   wallet://NAME/HOTKEY         a plaintext hotkey under the wallet root ($BTE_WALLET_PATH)
                // Empty: produce no blocks, serve RPC only. Default "". Security: whoever reads this key can author
                // blocks for the network; keep it on this machine, readable by the node's user only.
                "authorKeyUri": {{Quote(settings.Node.AuthorKeyUri)}},
                // Console log level: Trace, Debug, Information, Warning, Error, Critical or None. Default "Information".
                "logLevel": {{Quote(settings.Node.LogLevel)}}
              },
              "rpc": {
                // IP address of the JSON-RPC listener (POST /rpc). Default "127.0.0.1". Security: the RPC accepts
                // transactions and has no authentication; listen on a public address only behind a trusted proxy or firewall.
                "listenAddress": {{Quote(settings.Rpc.ListenAddress)}},
                // TCP port; 0 picks a free one (logged at start-up). Default 9944.
                "port": {{settings.Rpc.Port}},
                // Largest request body in bytes (1024 to 67108864); larger requests get HTTP 413. Default 4194304 (4 MiB).
                "maxBodyBytes": {{settings.Rpc.MaxBodyBytes}}
              },
              "validator": {
                // Run the storage validator (specs/storage-proofs.md §3–6) beside block production and RPC: it stores and
                // challenges sectors on every miner axon of the subnet and sets weights (with the inference market's
                // scores when inferenceEnabled). Default false.
                // Override: BTE_validator__enabled=true.
                "enabled": {{(settings.Validator.Enabled ? "true" : "false")}},
                // The subnet to validate (0 to 65535). Default 1.
                "netuid": {{settings.Validator.Netuid}},
                // Where the validator's hotkey lives, as a URI (never the key itself), required when enabled:
                //   file:///path/validator.key   a plaintext key file, mode 0600 (relative paths allowed after file://)
                //   wallet://NAME/HOTKEY         a plaintext hotkey under the wallet root ($BTE_WALLET_PATH)
                // Encrypted keys are refused. Default "". Security: this key signs synapses and set_weights; keep it
                // readable by the node's user only.
                "hotkeyUri": {{Quote(settings.Validator.HotkeyUri)}},
                // Seconds between challenge rounds (1 to 86400); the spec challenges each miner every 10 blocks
                // (about 2 min). Default 120.
                "roundS": {{settings.Validator.RoundS}},
                // Set weights after every this many rounds (1 to 10000); the chain's rate limit still applies.
                // Default 10 (about 20 min).
                "weightsEveryRounds": {{settings.Validator.WeightsEveryRounds}},
                // Base URL of the node whose RPC the validator uses (http://host:port; /rpc is added). Empty: this
                // node's own RPC endpoint (loopback when it listens on all addresses). Default "".
                "nodeRpcUrl": {{Quote(settings.Validator.NodeRpcUrl)}},
                // Also run the inference validator (specs/inference.md §5): synthetic requests to every miner's
                // Inference synapse, recomputed on this node's own ONNX Runtime sessions, scored by correctness and
                // latency, with a capacity burst once per tempo. Needs modelsDir. Default false.
                "inferenceEnabled": {{(settings.Validator.InferenceEnabled ? "true" : "false")}},
                // The model folder the inference validator trusts: registry.json (its "trust" list names the registry
                // keys whose signed entries count) and the <sha256>.onnx files, as bte inference models add writes
                // them. Required when inferenceEnabled. Default "". Security: whoever can write this folder's trust
                // list decides what counts as a correct answer.
                "modelsDir": {{Quote(settings.Validator.ModelsDir)}},
                // Execution providers of the reference sessions, in order, comma-separated (CUDA, TensorRT, CPU). Each
                // is used only when this build offers it (the BteGpu=true build offers CUDA); CPU is always the last
                // fallback, and the log says which runs. Default "CUDA,CPU".
                "inferenceProviders": {{Quote(settings.Validator.InferenceProviders)}},
                // The storage market's share of the weights row (0 to 1); inference gets the rest:
                // w = marketSplit * storage + (1 - marketSplit) * inference, renormalised over the markets that have
                // weights (storage-proofs.md §6). Default 0.5.
                "marketSplit": {{settings.Validator.MarketSplit}},
                // A capacity burst (5 s at concurrency 16 per miner) runs in the first inference round and then every
                // this many rounds (1 to 10000). Default 36 (once per 360-block tempo).
                "capacityEveryRounds": {{settings.Validator.CapacityEveryRounds}}
              }
            }

            """);
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value, NodeJsonContext.Default.String);
}
