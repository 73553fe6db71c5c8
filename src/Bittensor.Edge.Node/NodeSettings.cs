// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Node;

/// <summary>
/// The settings of <c>bte-node</c>, one class per section of <c>node.settings.jsonc</c> (whose comments these docs
/// repeat). Sources, later ones winning: the defaults here, the file (<c>--config</c>), <c>BTE_</c> environment
/// variables (<c>BTE_node__dataDir</c>), then flags. Relative paths are resolved against the settings file's folder
/// (the working directory when there is no file).
/// </summary>
/// <remarks>Plain mutable data for the configuration binder; <see cref="NodeSettingsValidator"/> checks it once at start-up.</remarks>
public sealed class NodeSettings
{
    /// <summary>The <c>node</c> section.</summary>
    public NodeSection Node { get; set; } = new();

    /// <summary>The <c>rpc</c> section.</summary>
    public RpcSection Rpc { get; set; } = new();

    /// <summary>The <c>validator</c> section.</summary>
    public ValidatorSection Validator { get; set; } = new();
}

/// <summary>The <c>node</c> section: where the chain lives and who signs its blocks.</summary>
public sealed class NodeSection
{
    /// <summary>
    /// Folder of the chain database (<c>chain.db</c>); created 0700 if missing. Default <c>data</c>. A data folder
    /// belongs to one genesis: the node refuses to open one made for another network.
    /// </summary>
    public string DataDir { get; set; } = "data";

    /// <summary>The genesis file (specs/protocol.md §2.9) that defines the network. Default <c>genesis.json</c>.</summary>
    public string GenesisPath { get; set; } = "genesis.json";

    /// <summary>
    /// Where the block author's secret key lives, as a URI: <c>file:///path/authority.key</c> (a plaintext key file,
    /// protocol.md §5, mode 0600) or <c>wallet://NAME/HOTKEY</c> (a plaintext hotkey under the wallet root,
    /// <c>$BTE_WALLET_PATH</c>). Empty: produce no blocks (serve RPC only). Default empty. The key itself never goes in
    /// this file.
    /// </summary>
    public string AuthorKeyUri { get; set; } = "";

    /// <summary>Console log level: Trace, Debug, Information, Warning, Error, Critical or None. Default Information.</summary>
    public string LogLevel { get; set; } = "Information";
}

/// <summary>The <c>rpc</c> section: the JSON-RPC listener (<c>POST /rpc</c>, protocol.md §2.8).</summary>
public sealed class RpcSection
{
    /// <summary>
    /// IP address to listen on. Default <c>127.0.0.1</c>. Security: the RPC accepts transactions and has no
    /// authentication; listen on a public address only behind a firewall or proxy you trust.
    /// </summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (logged at start-up). Default 9944.</summary>
    public int Port { get; set; } = NodeConstants.DefaultRpcPort;

    /// <summary>Largest request body accepted, bytes (1 KiB–64 MiB); larger ones get 413. Default 4194304 (4 MiB).</summary>
    public int MaxBodyBytes { get; set; } = NodeConstants.DefaultMaxBodyBytes;
}

/// <summary>
/// The <c>validator</c> section: the storage validator of specs/storage-proofs.md §3–6 and, when
/// <see cref="ValidatorSection.InferenceEnabled"/>, the inference validator of specs/inference.md §5, run by the node as
/// more services beside block production and RPC. They read the metagraph through a node's RPC, score every miner axon,
/// and one weights row mixing both markets is set with <c>set_weights</c> signed by the hotkey.
/// </summary>
public sealed class ValidatorSection
{
    /// <summary>Run the storage validator. Default <see langword="false"/>.</summary>
    public bool Enabled { get; set; }

    /// <summary>The subnet to validate (0–65535). Default 1.</summary>
    public int Netuid { get; set; } = 1;

    /// <summary>
    /// Where the validator's hotkey lives, as a URI: <c>file:///path/validator.key</c> (a plaintext key file, mode 0600)
    /// or <c>wallet://NAME/HOTKEY</c> (a plaintext hotkey under the wallet root, <c>$BTE_WALLET_PATH</c>). Required when
    /// <see cref="Enabled"/>; encrypted keys are refused. Default empty. The key signs synapses and weights: keep it
    /// readable by the node's user only.
    /// </summary>
    public string HotkeyUri { get; set; } = "";

    /// <summary>
    /// Seconds between challenge rounds (1–86400); storage-proofs.md §3 challenges each miner every 10 blocks (≈ 2 min).
    /// Default 120.
    /// </summary>
    public int RoundS { get; set; } = NodeConstants.DefaultValidatorRoundS;

    /// <summary>Set weights after every this many rounds (1–10000); the chain's rate limit still applies. Default 10 (≈ 20 min).</summary>
    public int WeightsEveryRounds { get; set; } = NodeConstants.DefaultValidatorWeightsEveryRounds;

    /// <summary>
    /// Base URL of the node whose RPC the validator uses (<c>http://host:port</c>; <c>/rpc</c> is added). Empty: this
    /// node's own RPC endpoint (loopback when it listens on all addresses). Default empty.
    /// </summary>
    public string NodeRpcUrl { get; set; } = "";

    /// <summary>
    /// Also run the inference validator (specs/inference.md §5): synthetic requests to every miner's Inference synapse,
    /// recomputed on this node's own ONNX Runtime sessions (CUDA when present), scored by correctness and latency. Needs
    /// <see cref="ModelsDir"/>. Default <see langword="false"/>.
    /// </summary>
    public bool InferenceEnabled { get; set; }

    /// <summary>
    /// The model folder the inference validator trusts: <c>registry.json</c> (its <c>trust</c> list names the registry
    /// keys whose signed entries count) and the <c>&lt;sha256&gt;.onnx</c> files, as <c>bte inference models add</c>
    /// writes them. Required when <see cref="InferenceEnabled"/>. Default empty.
    /// </summary>
    public string ModelsDir { get; set; } = "";

    /// <summary>
    /// Execution providers for the reference sessions, in order, comma-separated (CUDA, TensorRT, CPU); each is used
    /// only when this build offers it (the GPU flavour offers CUDA), and CPU is always the last fallback. Default
    /// <c>CUDA,CPU</c>.
    /// </summary>
    public string InferenceProviders { get; set; } = "CUDA,CPU";

    /// <summary>
    /// The storage market's share of the weights row, 0 to 1; inference gets the rest:
    /// <c>w = marketSplit · storage + (1 − marketSplit) · inference</c>, renormalised over the markets that have weights
    /// (storage-proofs.md §6). Default 0.5.
    /// </summary>
    public double MarketSplit { get; set; } = 0.5;

    /// <summary>A capacity burst runs in the first inference round and then every this many rounds (1–10000). Default 36 (once per 360-block tempo at 10-block rounds).</summary>
    public int CapacityEveryRounds { get; set; } = 36;
}
