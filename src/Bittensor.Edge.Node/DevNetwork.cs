// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Chain;
using Bittensor.Edge.Chain.Genesis;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Node;

/// <summary>What <c>init</c> writes.</summary>
/// <param name="Directory">The node folder: genesis, settings and authority key go here, the chain in <c>data/</c>.</param>
/// <param name="WalletRoot">Where the dev wallets are created.</param>
/// <param name="Accounts">How many funded dev wallets (<c>dev1</c>…); each gets a coldkey and a <c>default</c> hotkey.</param>
/// <param name="Tempo">When set, subnet 1 exists at genesis with this tempo, owned by <c>dev1</c> (its hotkey is uid 0).</param>
/// <param name="BlockTimeMs">The slot length.</param>
/// <param name="Force">Replace an existing node folder (its chain data included).</param>
public sealed record DevNetworkOptions(string Directory, string WalletRoot, int Accounts = 3, ushort? Tempo = null, ulong BlockTimeMs = ChainConstants.DefaultBlockTimeMs, bool Force = false);

/// <summary>What <c>init</c> wrote.</summary>
/// <param name="GenesisPath">The genesis file.</param>
/// <param name="SettingsPath">The node settings file.</param>
/// <param name="AuthorityKeyPath">The authority key file (plaintext, 0600).</param>
/// <param name="Genesis">The network.</param>
/// <param name="Wallets">The dev wallets (name and coldkey address), the sudo wallet first.</param>
public sealed record DevNetworkResult(string GenesisPath, string SettingsPath, string AuthorityKeyPath, GenesisConfig Genesis, IReadOnlyList<(string Name, string Address, bool Reused)> Wallets);

/// <summary>
/// <c>bte node init</c> / <c>bte-node init</c>: a dev network in one folder (specs/protocol.md §2.9): a fresh authority
/// key, a genesis funding a <c>dev-sudo</c> wallet (the sudo key) and N <c>devK</c> wallets with
/// <see cref="DevGenesis.DefaultBalance"/>, loopback axons allowed, optionally subnet 1, and a settings file pointing at
/// all of it. Dev wallets are plaintext (a dev network's keys protect nothing) and reused when they already exist.
/// </summary>
/// <remarks>Stateless and thread-safe; the folder and wallets are not locked against a concurrent init.</remarks>
public static class DevNetwork
{
    /// <summary>The wallet that holds the sudo coldkey.</summary>
    public const string SudoWallet = "dev-sudo";

    /// <summary>The largest number of dev accounts.</summary>
    public const int MaxAccounts = 64;

    /// <summary>Writes the dev network; on failure <paramref name="error"/> says what to change.</summary>
    public static bool TryInit(DevNetworkOptions options, IClock clock, [NotNullWhen(true)] out DevNetworkResult? result, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        result = null;
        if (options.Accounts is < 1 or > MaxAccounts)
        {
            error = $"--accounts must be 1 to {MaxAccounts}.";
            return false;
        }

        if (options.BlockTimeMs is < 10 or > 3_600_000)
        {
            error = "--block-time-ms must be 10 to 3600000.";
            return false;
        }

        if (options.Tempo is 0)
        {
            error = "--tempo must be at least 1.";
            return false;
        }

        string directory = Path.GetFullPath(options.Directory);
        string genesisPath = Path.Combine(directory, NodeConstants.GenesisFileName);
        string settingsPath = Path.Combine(directory, NodeConstants.SettingsFileName);
        string keyPath = Path.Combine(directory, NodeConstants.AuthorityKeyFileName);
        string dataDir = Path.Combine(directory, "data");
        string[] owned = [genesisPath, settingsPath, keyPath];
        if (!options.Force && (owned.Any(File.Exists) || System.IO.Directory.Exists(dataDir)))
        {
            error = $"{directory} already holds a node; pass --force to replace it (its chain data in {dataDir} is deleted too).";
            return false;
        }

        try
        {
            foreach (string path in owned.Where(File.Exists))
            {
                File.Delete(path);
            }

            if (System.IO.Directory.Exists(dataDir))
            {
                System.IO.Directory.Delete(dataDir, recursive: true);
            }

            CreatePrivateDirectory(directory);
            List<(string Name, string Address, bool Reused)> wallets = [];
            PublicKey sudo = EnsureWallet(options.WalletRoot, SudoWallet, wallets).Coldkey;
            List<(PublicKey Coldkey, PublicKey Hotkey)> accounts = [];
            for (int i = 1; i <= options.Accounts; i++)
            {
                accounts.Add(EnsureWallet(options.WalletRoot, $"dev{i}", wallets));
            }

            using WalletKey authority = WalletKey.Generate();
            KeyFile.WritePlaintext(keyPath, authority);
            List<GenesisSubnet> subnets = [];
            if (options.Tempo is ushort tempo)
            {
                Hyperparameters hyperparameters = new();
                hyperparameters[HyperparameterId.Tempo] = tempo;
                subnets.Add(new GenesisSubnet(new Netuid(1), accounts[0].Coldkey, accounts[0].Hotkey, hyperparameters));
            }

            ulong now = (ulong)clock.UtcNow.ToUnixTimeMilliseconds();
            GenesisConfig genesis = DevGenesis.Create(authority.PublicKey, sudo, accounts.Select(a => a.Coldkey), now, subnets: subnets, blockTimeMs: options.BlockTimeMs);
            File.WriteAllBytes(genesisPath, GenesisParser.ToJson(genesis));
            NodeSettings settings = new();
            settings.Node.DataDir = "data";
            settings.Node.GenesisPath = NodeConstants.GenesisFileName;
            settings.Node.AuthorKeyUri = "file://" + NodeConstants.AuthorityKeyFileName;
            File.WriteAllText(settingsPath, NodeSettingsTemplate.Render(settings));
            result = new DevNetworkResult(genesisPath, settingsPath, keyPath, genesis, wallets);
            error = null;
            return true;
        }
        catch (WalletException e)
        {
            error = e.Message;
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"Cannot write the dev network to {directory}: {e.Message}";
            return false;
        }
    }

    private static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    // An existing wallet is reused by its public files; a new one gets a plaintext coldkey and a default hotkey.
    private static (PublicKey Coldkey, PublicKey Hotkey) EnsureWallet(string root, string name, List<(string Name, string Address, bool Reused)> wallets)
    {
        Wallet wallet = new(root, name);
        bool reused = wallet.Exists;
        if (!reused)
        {
            using WalletKey coldkey = WalletKey.Generate();
            wallet.WriteColdkey(coldkey, password: null);
        }

        if (!File.Exists(wallet.HotkeyPubPath(Wallet.DefaultName)))
        {
            using WalletKey hotkey = WalletKey.Generate();
            wallet.WriteHotkey(Wallet.DefaultName, hotkey);
        }

        PublicKey coldkeyPublic = wallet.ReadColdkeyPublic();
        wallets.Add((name, Core.Addresses.Ss58.Encode(coldkeyPublic), reused));
        return (coldkeyPublic, wallet.ReadHotkeyPublic(Wallet.DefaultName));
    }
}
