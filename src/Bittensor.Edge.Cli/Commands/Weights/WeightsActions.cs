// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;

namespace Bittensor.Edge.Cli.Commands.Weights;

/// <summary>Which weights call.</summary>
internal enum WeightsMode
{
    Set,
    Commit,
    Reveal,
}

/// <summary>The bodies of <c>bte weights ...</c>, and the local store of commits awaiting their reveal.</summary>
internal static class WeightsActions
{
    public static async Task<int> RunAsync(ChainCliContext context, WeightsMode mode, ushort netuid, string? weightsText, ulong versionKey, string hotkeyName, CancellationToken cancellationToken)
    {
        ushort[] uids = [];
        ushort[] values = [];
        if (mode != WeightsMode.Reveal && !TryParseWeights(weightsText, out uids, out values, out string error))
        {
            await context.Error.WriteLineAsync($"error: --weights: {error}").ConfigureAwait(false);
            return ChainCliContext.Usage;
        }

        using WalletKey hotkey = context.LoadHotkey();
        string commitDirectory = Path.Combine(context.Wallet().DirectoryPath, "commits");
        switch (mode)
        {
            case WeightsMode.Set:
                return await context.SubmitAsync(hotkey.KeyPair, new SetWeightsCall(new Netuid(netuid), [.. uids], [.. values], versionKey), "set_weights", cancellationToken).ConfigureAwait(false);
            case WeightsMode.Commit:
            {
                Hash256 salt = new(RandomNumberGenerator.GetBytes(Hash256.Size));
                Hash256 commit = WeightCommitHash.Compute(hotkey.PublicKey, new Netuid(netuid), uids, values, salt, versionKey);
                PendingCommit pending = new(netuid, hotkeyName, uids, values, salt, versionKey, commit);
                string path = pending.Save(commitDirectory);
                int exit = await context.SubmitAsync(hotkey.KeyPair, new CommitWeightsCall(new Netuid(netuid), commit), "commit_weights", cancellationToken, w => w.WriteString("commit", commit.ToString())).ConfigureAwait(false);
                if (exit != ChainCliContext.Ok)
                {
                    File.Delete(path);
                }
                else if (!context.Json)
                {
                    await context.Output.WriteLineAsync($"The salt is kept in {path}; reveal in the reveal window with: bte weights reveal --netuid {netuid} (see the window with the subnet_getCommits RPC).").ConfigureAwait(false);
                }

                return exit;
            }

            default:
            {
                List<(string Path, PendingCommit Commit)> pending = PendingCommit.Load(commitDirectory, netuid, hotkeyName);
                if (pending.Count == 0)
                {
                    await context.Error.WriteLineAsync($"error: no commit of hotkey '{hotkeyName}' on subnet {netuid} is stored under {commitDirectory}; commit first with: bte weights commit --netuid {netuid} --weights ...").ConfigureAwait(false);
                    return ChainCliContext.Failed;
                }

                int exit = ChainCliContext.Ok;
                foreach ((string path, PendingCommit commit) in pending)
                {
                    RevealWeightsCall call = new(new Netuid(netuid), [.. commit.Uids], [.. commit.Values], commit.Salt, commit.VersionKey);
                    int one = await context.SubmitAsync(hotkey.KeyPair, call, $"reveal_weights {commit.Commit}", cancellationToken).ConfigureAwait(false);
                    if (one == ChainCliContext.Ok)
                    {
                        File.Delete(path);
                    }

                    exit = Math.Max(exit, one);
                }

                return exit;
            }
        }
    }

    /// <summary>Parses <c>uid=w,uid=w</c> and scales the floats to u16 as validators do: <c>round(wᵢ / max(w) · 65535)</c> (§2.5.6).</summary>
    public static bool TryParseWeights(string? text, out ushort[] uids, out ushort[] values, out string error)
    {
        uids = [];
        values = [];
        error = "";
        List<(ushort Uid, double Weight)> pairs = [];
        foreach (string part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0
                || !ushort.TryParse(part.AsSpan(0, eq), NumberStyles.None, CultureInfo.InvariantCulture, out ushort uid)
                || !double.TryParse(part.AsSpan(eq + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out double weight)
                || !double.IsFinite(weight) || weight < 0)
            {
                error = $"'{part}' is not uid=weight with a uid 0..65535 and a weight ≥ 0 (e.g. 3=0.25).";
                return false;
            }

            pairs.Add((uid, weight));
        }

        if (pairs.Count == 0)
        {
            error = "give at least one uid=weight pair, e.g. --weights 0=1,1=0.5";
            return false;
        }

        double max = pairs.Max(p => p.Weight);
        uids = [.. pairs.Select(p => p.Uid)];
        values = [.. pairs.Select(p => max == 0 ? (ushort)0 : (ushort)Math.Round(p.Weight / max * 65535, MidpointRounding.AwayFromZero))];
        return true;
    }
}

/// <summary>A commit awaiting its reveal, kept as 0600 JSON under <c>&lt;wallet&gt;/commits/</c> (the salt is secret until the reveal).</summary>
internal sealed record PendingCommit(ushort Netuid, string Hotkey, ushort[] Uids, ushort[] Values, Hash256 Salt, ulong VersionKey, Hash256 Commit)
{
    public string Save(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        string path = Path.Combine(directory, $"{Hotkey}-{Netuid}-{Commit.ToString("x", CultureInfo.InvariantCulture)[..16]}.json");
        using MemoryStream buffer = new();
        using (Utf8JsonWriter w = new(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("netuid", Netuid);
            w.WriteString("hotkey", Hotkey);
            w.WriteStartArray("uids");
            foreach (ushort uid in Uids)
            {
                w.WriteNumberValue(uid);
            }

            w.WriteEndArray();
            w.WriteStartArray("values");
            foreach (ushort value in Values)
            {
                w.WriteNumberValue(value);
            }

            w.WriteEndArray();
            w.WriteString("salt", Salt.ToString());
            w.WriteNumber("versionKey", VersionKey);
            w.WriteString("commit", Commit.ToString());
            w.WriteEndObject();
        }

        FileStreamOptions options = new() { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (FileStream file = new(path, options))
        {
            file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            file.Flush(flushToDisk: true);
        }

        return path;
    }

    /// <summary>The stored commits of <paramref name="hotkey"/> on <paramref name="netuid"/>, oldest first.</summary>
    public static List<(string Path, PendingCommit Commit)> Load(string directory, ushort netuid, string hotkey)
    {
        List<(string, PendingCommit, DateTime)> found = [];
        if (!Directory.Exists(directory))
        {
            return [];
        }

        foreach (string path in Directory.EnumerateFiles(directory, $"{hotkey}-{netuid}-*.json"))
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(path));
            JsonElement r = doc.RootElement;
            PendingCommit commit = new(
                r.GetProperty("netuid").GetUInt16(),
                r.GetProperty("hotkey").GetString() ?? hotkey,
                [.. r.GetProperty("uids").EnumerateArray().Select(e => e.GetUInt16())],
                [.. r.GetProperty("values").EnumerateArray().Select(e => e.GetUInt16())],
                Hash256.Parse(r.GetProperty("salt").GetString() ?? "", CultureInfo.InvariantCulture),
                r.GetProperty("versionKey").GetUInt64(),
                Hash256.Parse(r.GetProperty("commit").GetString() ?? "", CultureInfo.InvariantCulture));
            found.Add((path, commit, File.GetLastWriteTimeUtc(path)));
        }

        return [.. found.OrderBy(f => f.Item3).Select(f => (f.Item1, f.Item2))];
    }
}
