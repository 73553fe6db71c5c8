// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Text;

namespace Bittensor.Edge.Node;

/// <summary>The text <c>init</c> prints: what it wrote and the command to run next.</summary>
public static class DevNetworkReport
{
    /// <summary>Formats <paramref name="result"/>, ending with <paramref name="nextCommand"/>.</summary>
    public static string Format(DevNetworkResult result, string nextCommand)
    {
        ArgumentNullException.ThrowIfNull(result);
        StringBuilder text = new();
        IFormatProvider c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Dev network '{result.Genesis.ChainId}' (genesis {result.Genesis.Hash}), block time {result.Genesis.BlockTimeMs} ms");
        text.AppendLine(c, $"  genesis        {result.GenesisPath}");
        text.AppendLine(c, $"  settings       {result.SettingsPath}");
        text.AppendLine(c, $"  authority key  {result.AuthorityKeyPath} (plaintext, 0600)");
        foreach (Chain.Genesis.GenesisSubnet subnet in result.Genesis.Subnets)
        {
            text.AppendLine(c, $"  subnet {subnet.Netuid}       tempo {subnet.Hyperparameters[Chain.State.HyperparameterId.Tempo]}, owned by dev1");
        }

        text.AppendLine("Funded wallets (plaintext dev keys):");
        foreach ((string name, string address, bool reused) in result.Wallets)
        {
            text.AppendLine(c, $"  {name,-10} {address}{(reused ? " (existing wallet reused)" : "")}{(name == DevNetwork.SudoWallet ? " sudo" : "")}");
        }

        text.AppendLine("Next:");
        text.AppendLine(c, $"  {nextCommand}");
        return text.ToString();
    }
}
