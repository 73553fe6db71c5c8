// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Miner.Device;

namespace Bittensor.Edge.Miner.Tests.Device;

public sealed class DeviceKeyStoreTests
{
    [Fact]
    public void The_first_start_creates_a_private_plaintext_key_and_later_starts_load_the_same_one()
    {
        using TempDir dir = new();
        string path = dir.Path("data", "device.key");
        Assert.True(DeviceKeyStore.TryLoadOrCreate(path, out WalletKey? first, out bool created, out string? error), error);
        using (first)
        {
            Assert.True(created);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.False(KeyFile.IsEncrypted(path));
            Assert.Contains("\"secretSeed\"", File.ReadAllText(path), StringComparison.Ordinal);
            Assert.Single(Directory.GetFiles(dir.Path("data")));

            Assert.True(DeviceKeyStore.TryLoadOrCreate(path, out WalletKey? again, out created, out error), error);
            using (again)
            {
                Assert.False(created);
                Assert.Equal(first.PublicKey, again.PublicKey);
            }
        }
    }

    [Fact]
    public void A_key_readable_by_others_or_a_corrupt_key_is_refused_and_never_replaced()
    {
        using TempDir dir = new();
        string path = dir.Path("device.key");
        Assert.True(DeviceKeyStore.TryLoadOrCreate(path, out WalletKey? key, out _, out _));
        key.Dispose();
        string contents = File.ReadAllText(path);

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        Assert.False(DeviceKeyStore.TryLoadOrCreate(path, out _, out _, out string? error));
        Assert.Contains("chmod 600", error, StringComparison.Ordinal);

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, "{ not a key");
        Assert.False(DeviceKeyStore.TryLoadOrCreate(path, out _, out _, out error));
        Assert.NotNull(error);
        Assert.Equal("{ not a key", File.ReadAllText(path)); // never silently replaced: the fleet knows the old key
        Assert.NotEqual(contents, File.ReadAllText(path));
    }

    [Fact]
    public void The_time_gate_opens_on_the_sync_flag_an_rtc_or_trust()
    {
        using TempDir dir = new();
        TimeGate gate = new(false, dir.Path("synchronized"), dir.Path("rtc0"));
        Assert.False(gate.IsTimeTrusted());
        File.WriteAllText(dir.Path("synchronized"), "");
        Assert.True(gate.IsTimeTrusted());
        File.Delete(dir.Path("synchronized"));
        File.WriteAllText(dir.Path("rtc0"), "");
        Assert.True(gate.IsTimeTrusted());
        File.Delete(dir.Path("rtc0"));
        Assert.True(new TimeGate(true, dir.Path("synchronized"), dir.Path("rtc0")).IsTimeTrusted());
    }
}
