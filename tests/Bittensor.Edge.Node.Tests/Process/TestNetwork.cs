// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Node.Tests.Process;

/// <summary>A dev network in a temp folder: genesis (fast blocks, subnet 1 with a short tempo), settings on port 0, authority key.</summary>
public sealed class TestNetwork : IDisposable
{
    public TestNetwork(ulong blockTimeMs, int maxBodyBytes = NodeConstants.DefaultMaxBodyBytes)
    {
        Directory.CreateDirectory(Root);
        using WalletKey authority = new(Ed25519KeyPair.Generate());
        KeyFile.WritePlaintext(Path.Combine(Root, "authority.key"), authority);
        Hyperparameters hyperparameters = new();
        hyperparameters[HyperparameterId.Tempo] = 4;
        Genesis = DevGenesis.Create(
            authority.PublicKey,
            Alice.PublicKey,
            [Bob.PublicKey],
            (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            subnets: [new GenesisSubnet(new Netuid(1), Alice.PublicKey, OwnerHotkey.PublicKey, hyperparameters)],
            blockTimeMs: blockTimeMs);
        File.WriteAllBytes(Path.Combine(Root, "genesis.json"), GenesisParser.ToJson(Genesis));
        NodeSettings settings = new();
        settings.Node.AuthorKeyUri = "file://authority.key";
        settings.Rpc.Port = 0;
        settings.Rpc.MaxBodyBytes = maxBodyBytes;
        File.WriteAllText(SettingsPath, NodeSettingsTemplate.Render(settings));
    }

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "bte-node-" + Guid.NewGuid().ToString("N"));

    public string SettingsPath => Path.Combine(Root, "node.settings.jsonc");

    public string DataDir => Path.Combine(Root, "data");

    public GenesisConfig Genesis { get; }

    public Ed25519KeyPair Alice { get; } = Ed25519KeyPair.Generate();

    public Ed25519KeyPair Bob { get; } = Ed25519KeyPair.Generate();

    public Ed25519KeyPair OwnerHotkey { get; } = Ed25519KeyPair.Generate();

    public void Dispose()
    {
        Alice.Dispose();
        Bob.Dispose();
        OwnerHotkey.Dispose();
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
