// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Genesis;

/// <summary>The dev genesis that <c>bte node init</c> writes (specs/protocol.md §2.9).</summary>
public static class DevGenesis
{
    /// <summary>The default chain id of a dev network.</summary>
    public const string DefaultChainId = "bte-dev";

    /// <summary>What each dev account and the sudo key start with: 1 000 TAO.</summary>
    public static Rao DefaultBalance => Rao.FromTao(1_000);

    /// <summary>
    /// A dev genesis: one authority, every key in <paramref name="devAccounts"/> and <paramref name="sudo"/> funded with
    /// <paramref name="balance"/> (default <see cref="DefaultBalance"/>), <paramref name="sudo"/> as the sudo key,
    /// loopback axons allowed, and the given preset subnets.
    /// </summary>
    /// <param name="authority">The block author.</param>
    /// <param name="sudo">The sudo key, also funded.</param>
    /// <param name="devAccounts">Accounts to fund; duplicates of each other or of the sudo key are funded once.</param>
    /// <param name="genesisTimeMs">Unix milliseconds of genesis.</param>
    /// <param name="balance">Each funded account's balance.</param>
    /// <param name="subnets">Preset subnets, or none.</param>
    /// <param name="chainId">The chain id.</param>
    /// <param name="blockTimeMs">The slot length.</param>
    public static GenesisConfig Create(
        PublicKey authority,
        PublicKey sudo,
        IEnumerable<PublicKey> devAccounts,
        ulong genesisTimeMs,
        Rao? balance = null,
        IEnumerable<GenesisSubnet>? subnets = null,
        string chainId = DefaultChainId,
        ulong blockTimeMs = ChainConstants.DefaultBlockTimeMs)
    {
        ArgumentNullException.ThrowIfNull(devAccounts);
        Rao amount = balance ?? DefaultBalance;
        HashSet<PublicKey> funded = [sudo];
        foreach (PublicKey account in devAccounts)
        {
            funded.Add(account);
        }

        List<GenesisBalance> balances = new(funded.Count);
        foreach (PublicKey account in funded)
        {
            balances.Add(new GenesisBalance(account, amount));
        }

        return new GenesisConfig(chainId, genesisTimeMs, blockTimeMs, [authority], balances, new Rao(ChainConstants.DefaultNetworkCost), sudo, subnets ?? [], allowLoopbackAxons: true);
    }
}
