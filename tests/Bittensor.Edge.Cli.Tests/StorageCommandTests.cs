// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Text.Json;
using Bittensor.Edge.Cli.Commands;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Cli.Tests;

/// <summary><c>bte storage put|get|list|prove|verify</c>, run in-process on a temporary store.</summary>
public sealed class StorageCommandTests : IDisposable
{
    private const string BlockHash = "b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1";
    private const string Nonce = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
    private static readonly string s_hotkey = Ss58.Encode(new PublicKey(Enumerable.Repeat((byte)0xA0, 32).ToArray()));
    private static readonly string s_otherHotkey = Ss58.Encode(new PublicKey(Enumerable.Repeat((byte)0xB0, 32).ToArray()));

    private readonly string _temp = Directory.CreateTempSubdirectory("bte-storage-cli-").FullName;

    private string Store => Path.Combine(_temp, "store");

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>
    /// Runs bte in-process. Storage commands get <c>--reserve-fraction 0</c> unless a test passes its own: these tests are
    /// about the commands, not about how full this machine's disk is (CI machines have run with under 10 % free, which the
    /// default reserve refuses).
    /// </summary>
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        if (args is ["storage", ..] && !args.Contains(StorageCommands.ReserveOptionName))
        {
            args = [.. args, StorageCommands.ReserveOptionName, "0"];
        }

        using StringWriter output = new();
        using StringWriter error = new();
        int code = await Program.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<(string File, byte[] Data, string[] Roots)> PutFileAsync(int length)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        string file = Path.Combine(_temp, "input.bin");
        await File.WriteAllBytesAsync(file, data, TestContext.Current.CancellationToken);
        (int code, string stdout, string stderr) = await Run("storage", "put", file, "--store", Store);
        Assert.True(code == 0, stderr);
        string[] roots = [.. stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0])];
        return (file, data, roots);
    }

    [Fact]
    public async Task Put_splits_a_file_into_padded_sectors_and_get_reads_each_back()
    {
        int length = (4 * 1024 * 1024) + 1000;
        (_, byte[] data, string[] roots) = await PutFileAsync(length);
        Assert.Equal(2, roots.Length);

        byte[] joined = [];
        foreach (string root in roots)
        {
            string output = Path.Combine(_temp, root);
            (int code, _, string stderr) = await Run("storage", "get", root, "--out", output, "--store", Store);
            Assert.True(code == 0, stderr);
            joined = [.. joined, .. await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken)];
        }

        Assert.Equal(8 * 1024 * 1024, joined.Length);
        Assert.Equal(data, joined[..length]);
        Assert.All(joined[length..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Putting_the_same_file_twice_reports_already_stored()
    {
        (string file, _, _) = await PutFileAsync(1000);
        (int code, string stdout, _) = await Run("storage", "put", file, "--store", Store);
        Assert.Equal(0, code);
        Assert.EndsWith("already stored", stdout.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_json_prints_one_line_per_sector()
    {
        (_, _, string[] roots) = await PutFileAsync(1000);
        (int code, string stdout, _) = await Run("storage", "list", "--json", "--store", Store);
        Assert.Equal(0, code);
        using JsonDocument line = JsonDocument.Parse(stdout.Trim());
        Assert.Equal(roots[0], line.RootElement.GetProperty("root").GetString());
        Assert.Equal(JsonValueKind.Null, line.RootElement.GetProperty("expiresAtBlock").ValueKind);
    }

    [Fact]
    public async Task Get_of_an_unknown_root_fails_with_exit_1()
    {
        (int code, _, string stderr) = await Run("storage", "get", new string('a', 64), "--out", Path.Combine(_temp, "x"), "--store", Store);
        Assert.Equal(1, code);
        Assert.Contains("is not in the store", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prove_json_then_verify_against_the_recorded_root_is_ok()
    {
        (_, _, string[] roots) = await PutFileAsync(5000);
        string proof = await ProveAsync(roots[0], s_hotkey, k: 32);

        using (JsonDocument doc = JsonDocument.Parse(await File.ReadAllTextAsync(proof, TestContext.Current.CancellationToken)))
        {
            Assert.Equal(32, doc.RootElement.GetProperty("proofs").GetArrayLength());
            JsonElement first = doc.RootElement.GetProperty("proofs")[0];
            Assert.Equal(4096, first.GetProperty("data").GetBytesFromBase64().Length);
            Assert.Equal(320, first.GetProperty("path").GetBytesFromBase64().Length);
        }

        (int code, string stdout, _) = await Run("storage", "verify", proof, "--root", roots[0]);
        Assert.Equal(0, code);
        Assert.StartsWith("ok", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_fails_with_exit_1_for_another_root_a_tampered_leaf_or_another_miners_challenge()
    {
        (_, _, string[] roots) = await PutFileAsync(4 * 1024 * 1024);
        string proof = await ProveAsync(roots[0], s_hotkey, k: 8);

        (int wrongRoot, string wrongRootOut, _) = await Run("storage", "verify", proof, "--root", new string('c', 64));
        Assert.Equal(1, wrongRoot);
        Assert.StartsWith("fail", wrongRootOut, StringComparison.Ordinal);

        // Same proofs presented as another miner's: the items re-derived for that hotkey differ.
        string text = await File.ReadAllTextAsync(proof, TestContext.Current.CancellationToken);
        string other = Path.Combine(_temp, "other.json");
        await File.WriteAllTextAsync(other, text.Replace(s_hotkey, s_otherHotkey, StringComparison.Ordinal), TestContext.Current.CancellationToken);
        (int otherMiner, string otherOut, _) = await Run("storage", "verify", other, "--root", roots[0]);
        Assert.Equal(1, otherMiner);
        Assert.Contains("ItemMismatch", otherOut, StringComparison.Ordinal);

        // One flipped bit in a leaf (the file is all random, so every leaf's base64 is unique).
        using JsonDocument doc = JsonDocument.Parse(text);
        byte[] data = doc.RootElement.GetProperty("proofs")[3].GetProperty("data").GetBytesFromBase64();
        string original = Convert.ToBase64String(data);
        data[100] ^= 1;
        string tampered = Path.Combine(_temp, "tampered.json");
        await File.WriteAllTextAsync(tampered, text.Replace(original, Convert.ToBase64String(data), StringComparison.Ordinal), TestContext.Current.CancellationToken);
        (int flipped, string flippedOut, _) = await Run("storage", "verify", tampered, "--root", roots[0]);
        Assert.Equal(1, flipped);
        Assert.Contains("RootMismatch at item 3", flippedOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_reports_garbage_as_a_malformed_proof_file()
    {
        string garbage = Path.Combine(_temp, "garbage.json");
        await File.WriteAllBytesAsync(garbage, [0x7b, 0x00, 0xff, 0x13], TestContext.Current.CancellationToken);
        (int code, string stdout, _) = await Run("storage", "verify", garbage, "--root", new string('c', 64));
        Assert.Equal(1, code);
        Assert.StartsWith("fail: malformed proof file", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prove_rejects_a_bad_hotkey_and_k_out_of_range_as_usage_errors()
    {
        (_, _, string[] roots) = await PutFileAsync(100);
        Assert.Equal(2, (await Run("storage", "prove", roots[0], "--block-hash", BlockHash, "--nonce", Nonce, "--hotkey", "nope", "--store", Store)).Code);
        Assert.Equal(2, (await Run("storage", "prove", roots[0], "--block-hash", BlockHash, "--nonce", Nonce, "--hotkey", s_hotkey, "--k", "65", "--store", Store)).Code);
        Assert.Equal(2, (await Run("storage", "prove", roots[0], "--block-hash", "xyz", "--nonce", Nonce, "--hotkey", s_hotkey, "--store", Store)).Code);
    }

    private async Task<string> ProveAsync(string root, string hotkey, int k)
    {
        (int code, string stdout, string stderr) = await Run(
            "storage", "prove", root, "--block-hash", BlockHash, "--nonce", Nonce, "--hotkey", hotkey, "--k", k.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json", "--store", Store);
        Assert.True(code == 0, stderr);
        string path = Path.Combine(_temp, $"proof-{k}.json");
        await File.WriteAllTextAsync(path, stdout, TestContext.Current.CancellationToken);
        return path;
    }

    [Fact]
    public async Task Get_of_all_roots_with_the_length_put_printed_gives_back_the_exact_file()
    {
        int length = (2 * 4 * 1024 * 1024) + 777;
        (_, byte[] data, string[] roots) = await PutFileAsync(length);
        string output = Path.Combine(_temp, "back.bin");

        (int code, string stdout, string stderr) = await Run(["storage", "get", .. roots, "--out", output, "--length", length.ToString(System.Globalization.CultureInfo.InvariantCulture), "--store", Store, "--json"]);

        Assert.True(code == 0, stderr);
        Assert.Equal(data, await File.ReadAllBytesAsync(output, TestContext.Current.CancellationToken));
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(3, doc.RootElement.GetProperty("sectors").GetInt32());
        Assert.Equal(length, doc.RootElement.GetProperty("bytes").GetInt64());
        Assert.False(File.Exists(output + ".part"));
    }

    [Fact]
    public async Task Get_refuses_a_length_that_does_not_fit_the_roots_and_writes_nothing()
    {
        (_, _, string[] roots) = await PutFileAsync(1000);
        string output = Path.Combine(_temp, "back.bin");

        (int tooLong, _, string tooLongErr) = await Run("storage", "get", roots[0], "--out", output, "--length", "5000000", "--store", Store);
        (int unknown, _, string unknownErr) = await Run("storage", "get", roots[0], new string('0', 64), "--out", output, "--store", Store);

        Assert.Equal(2, tooLong);
        Assert.Contains("--length 5000000 does not fit 1 sectors", tooLongErr, StringComparison.Ordinal);
        Assert.Equal(1, unknown);
        Assert.Contains("nothing was written", unknownErr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Put_json_lists_each_sector_with_its_status()
    {
        byte[] data = new byte[(4 * 1024 * 1024) + 1];
        string file = Path.Combine(_temp, "two.bin");
        await File.WriteAllBytesAsync(file, data, TestContext.Current.CancellationToken);

        (int code, string stdout, string stderr) = await Run("storage", "put", file, "--store", Store, "--json");

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(data.Length, doc.RootElement.GetProperty("length").GetInt64());
        JsonElement[] sectors = [.. doc.RootElement.GetProperty("sectors").EnumerateArray()];
        Assert.Equal(2, sectors.Length);
        Assert.Equal("stored", sectors[0].GetProperty("status").GetString());
        Assert.Equal(64, sectors[1].GetProperty("root").GetString()!.Length);
    }

    [Fact]
    public async Task Delete_removes_sectors_and_reports_the_ones_that_were_not_stored()
    {
        (_, _, string[] roots) = await PutFileAsync((4 * 1024 * 1024) + 5);
        string absent = new('a', 64);

        (int code, string stdout, _) = await Run("storage", "delete", roots[0], absent, "--store", Store, "--json");
        (int again, _, string againErr) = await Run("storage", "delete", roots[0], "--store", Store);
        (_, string list, _) = await Run("storage", "list", "--json", "--store", Store);

        Assert.Equal(1, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal([roots[0]], doc.RootElement.GetProperty("deleted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([absent], doc.RootElement.GetProperty("missing").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, again);
        Assert.Contains("was not in the store", againErr, StringComparison.Ordinal);
        Assert.DoesNotContain(roots[0], list, StringComparison.Ordinal);
        Assert.Contains(roots[1], list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gc_deletes_only_sectors_that_expired_before_the_block()
    {
        string early = Path.Combine(_temp, "early.bin");
        string late = Path.Combine(_temp, "late.bin");
        await File.WriteAllBytesAsync(early, [1, 2, 3], TestContext.Current.CancellationToken);
        await File.WriteAllBytesAsync(late, [4, 5, 6], TestContext.Current.CancellationToken);
        (_, string earlyOut, _) = await Run("storage", "put", early, "--expires-at-block", "100", "--store", Store);
        (_, string lateOut, _) = await Run("storage", "put", late, "--expires-at-block", "300", "--store", Store);

        (int code, string stdout, string stderr) = await Run("storage", "gc", "--block", "200", "--store", Store, "--json");

        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal([earlyOut.Split(' ')[0]], doc.RootElement.GetProperty("deleted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(1, doc.RootElement.GetProperty("sectors").GetInt64());
        (_, string list, _) = await Run("storage", "list", "--json", "--store", Store);
        Assert.Contains(lateOut.Split(' ')[0], list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Quota_reports_usage_against_the_configured_quota_and_a_full_quota_stops_put_with_a_clear_error()
    {
        byte[] data = new byte[(2 * 4 * 1024 * 1024) + 1];
        new Random(3).NextBytes(data);
        string file = Path.Combine(_temp, "three.bin");
        await File.WriteAllBytesAsync(file, data, TestContext.Current.CancellationToken);

        (int put, string putOut, string putErr) = await Run("storage", "put", file, "--store", Store, "--quota-gib", "0.008");
        (int code, string stdout, _) = await Run("storage", "quota", "--store", Store, "--quota-gib", "0.008", "--json");

        // 0.008 GiB holds two whole sectors: the third put fails, and the two above it stay stored.
        Assert.Equal(1, put);
        Assert.Equal(2, putOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("sector 2 of 3 was not stored: the store is at its quota", putErr, StringComparison.Ordinal);
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("sectors").GetInt64());
        Assert.Equal(2L * 4 * 1024 * 1024, doc.RootElement.GetProperty("quotaBytes").GetInt64());
        Assert.Equal(0, doc.RootElement.GetProperty("freeQuotaBytes").GetInt64());
        Assert.True(doc.RootElement.GetProperty("diskFreeBytes").GetInt64() > 0);
    }

    [Fact]
    public async Task A_store_path_that_is_a_file_is_a_clear_error_that_says_what_to_do()
    {
        string notADirectory = Path.Combine(_temp, "file");
        await File.WriteAllTextAsync(notADirectory, "x", TestContext.Current.CancellationToken);

        (int code, _, string stderr) = await Run("storage", "quota", "--store", notADirectory);

        Assert.Equal(1, code);
        Assert.Contains($"cannot open the store in {notADirectory}", stderr, StringComparison.Ordinal);
        Assert.Contains("pass --store DIR", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_put_that_would_go_below_the_reserve_is_refused_says_what_to_do_and_stores_nothing()
    {
        string file = Path.Combine(_temp, "one.bin");
        await File.WriteAllBytesAsync(file, new byte[1000], TestContext.Current.CancellationToken);
        Directory.CreateDirectory(Store);
        DriveInfo drive = new(Store);
        bool fits = drive.AvailableFreeSpace - (4L * 1024 * 1024) >= (long)(drive.TotalSize * 0.9);

        (int code, string stdout, string stderr) = await Run("storage", "put", file, "--store", Store, "--reserve-fraction", "0.9");
        (_, string list, _) = await Run("storage", "list", "--json", "--store", Store);
        (_, string quota, _) = await Run("storage", "quota", "--json", "--store", Store, "--reserve-fraction", "0.9");

        // A disk more than 90 % free takes the sector; any other refuses it without writing anything.
        Assert.Equal(fits ? 0 : 1, code);
        Assert.Equal(fits ? 1 : 0, list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        if (!fits)
        {
            Assert.Equal("", stdout);
            Assert.Contains("sector 0 of 1 was not stored: the file system is full (or would go below its 90 % reserve)", stderr, StringComparison.Ordinal);
            Assert.Contains("pass --reserve-fraction with a smaller fraction (now 0.9)", stderr, StringComparison.Ordinal);
        }

        using JsonDocument doc = JsonDocument.Parse(quota);
        Assert.Equal(0.9, doc.RootElement.GetProperty("reserveFraction").GetDouble());
    }

    [Theory]
    [InlineData("-0.1")]
    [InlineData("0.95")]
    public async Task A_reserve_outside_0_to_0_9_is_refused_before_the_store_is_touched(string reserve)
    {
        (int code, _, string stderr) = await Run("storage", "quota", "--store", Store, "--reserve-fraction", reserve);

        Assert.Equal(1, code);
        Assert.Contains("--reserve-fraction: storage.reserveFraction must be between 0 and 0.9.", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Store));
    }
}
