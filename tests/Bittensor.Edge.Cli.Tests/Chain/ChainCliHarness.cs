// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Node;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Tests.Builders;
using Bittensor.Edge.Cli.Commands;
using Bittensor.Edge.Cli.Commands.Wallet;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Cli.Tests.Chain;

/// <summary>
/// A dev-genesis <see cref="ChainNode"/> on a manual clock behind a real loopback <c>POST /rpc</c>, plus wallets
/// ("owner", "validator", "miner"; plaintext coldkeys, funded with 1 000 TAO; "owner" is also the sudo key) and an
/// in-process <c>bte</c>. Whenever a client long-polls <c>chain_waitNewHead</c>, one slot passes and a block is
/// produced first, so commands that wait for inclusion finish without sleeping.
/// </summary>
internal sealed class ChainCliHarness : IAsyncDisposable
{
    private readonly WalletCliHarness _wallets = new();
    private RpcTestServer _server = null!;

    private ChainCliHarness()
    {
        PublicKey owner = AddWallet("owner");
        PublicKey validator = AddWallet("validator");
        PublicKey miner = AddWallet("miner");
        Authority = Ed25519KeyPair.Generate();
        Genesis = DevGenesis.Create(Authority.PublicKey, owner, [validator, miner], GenesisTimeMs);
        Clock = new ManualClock(DateTimeOffset.FromUnixTimeMilliseconds((long)GenesisTimeMs));
        Node = new ChainNode(Genesis, new MemoryStateStore(), [], Authority, Clock);
        Handler = new ChainRpcHandler(Node);
    }

    public const ulong GenesisTimeMs = 1_767_225_600_000;

    public Ed25519KeyPair Authority { get; }

    public GenesisConfig Genesis { get; }

    public ManualClock Clock { get; }

    public ChainNode Node { get; }

    public ChainRpcHandler Handler { get; }

    public string WalletRoot => _wallets.WalletRoot;

    public Uri NodeUrl => _server.BaseUrl;

    public static async Task<ChainCliHarness> StartAsync()
    {
        ChainCliHarness harness = new();
        harness._server = await RpcTestServer.StartAsync(new ProducingHandler(harness), TestContext.Current.CancellationToken);
        harness._wallets.Environment["BTE_NODE_URL"] = harness.NodeUrl.ToString();

        // bte axon serve opens its sector store and model folder before it checks registration; keep them out of the user's home.
        harness._wallets.Environment["BTE_STORE_PATH"] = Path.Combine(harness._wallets.Directory, "store");
        harness._wallets.Environment["BTE_MODELS_PATH"] = Path.Combine(harness._wallets.Directory, "models");
        return harness;
    }

    public PublicKey Coldkey(string wallet) => new Core.Wallets.Wallet(WalletRoot, wallet).ReadColdkeyPublic();

    public PublicKey Hotkey(string wallet) => new Core.Wallets.Wallet(WalletRoot, wallet).ReadHotkeyPublic("default");

    public Rao Free(PublicKey account) => Node.Read(account, static (view, key) => view.State().GetAccount(key).Free);

    /// <summary>Moves one slot and produces its block.</summary>
    public void ProduceBlock()
    {
        Clock.Advance(TimeSpan.FromMilliseconds(Genesis.BlockTimeMs));
        Assert.True(Node.TryProduceBlock(out _));
    }

    public void ProduceUntil(ulong number)
    {
        while (Node.Head.Number < number)
        {
            ProduceBlock();
        }
    }

    public Task<CliResult> RunAsync(params string[] args)
    {
        WalletCliEnvironment environment = new(name => _wallets.Environment.GetValueOrDefault(name), new ScriptedPrompt(), WalletCliHarness.LightCost);
        RootCommand root = new("bte (test)");
        root.Subcommands.Add(WalletCommands.Create(environment));
        root.Subcommands.Add(SubnetCommands.Create(environment));
        root.Subcommands.Add(RegisterCommands.Create(environment));
        root.Subcommands.Add(StakeCommands.Create(environment));
        root.Subcommands.Add(WeightsCommands.Create(environment));
        root.Subcommands.Add(MetagraphCommands.Create(environment));
        root.Subcommands.Add(AxonCommands.Create(environment));
        return WalletCliHarness.InvokeAsync(root, args);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _wallets.Dispose();
        Authority.Dispose();
    }

    private PublicKey AddWallet(string name)
    {
        Core.Wallets.Wallet wallet = new(_wallets.WalletRoot, name);
        using WalletKey coldkey = WalletKey.Generate();
        using WalletKey hotkey = WalletKey.Generate();
        wallet.WriteColdkey(coldkey, password: null);
        wallet.WriteHotkey("default", hotkey);
        return coldkey.PublicKey;
    }

    private sealed class ProducingHandler(ChainCliHarness harness) : IRpcHandler
    {
        public ValueTask<byte[]> HandleAsync(ReadOnlyMemory<byte> requestUtf8, CancellationToken cancellationToken = default)
        {
            if (requestUtf8.Span.IndexOf("chain_waitNewHead"u8) >= 0)
            {
                lock (harness)
                {
                    harness.ProduceBlock();
                }
            }

            return harness.Handler.HandleAsync(requestUtf8, cancellationToken);
        }
    }
}
