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
