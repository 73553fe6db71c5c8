// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Miner.Device;
using Bittensor.Edge.Tests.Shared;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Miner.Tests.Process;

/// <summary>
/// A real bte-miner process (x64-sim, trustClock) enrolled directly (its enrollment.json written by the test) against a real
/// mosquitto on 127.0.0.1, watched by a plain <c>mosquitto_sub -v</c>: what Home Assistant and the fleet read arrives
/// on the standard topics.
/// </summary>
public sealed class MinerMosquittoTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_real_miner_on_mosquitto_publishes_home_assistant_discovery_and_its_retained_state_that_mosquitto_sub_sees()
    {
        using TempDir dir = new();
        Directory.CreateDirectory(dir.Path("state"));
        Directory.CreateDirectory(dir.Path("data"));
        string deviceId;
        Assert.True(DeviceKeyStore.TryLoadOrCreate(dir.Path("data", MinerConstants.DeviceKeyFile), out WalletKey? key, out _, out string? error), error);
        using (key)
        {
            deviceId = DeviceIds.FromPublicKey(key.PublicKey);
        }

        await using Mosquitto mosquitto = await Mosquitto.StartAsync();
        using Ed25519KeyPair gateway = Ed25519KeyPair.Generate();
        string gatewayKey = Ss58.Encode(gateway.PublicKey);
        new Enrollment(deviceId, "lab1", gatewayKey, mosquitto.Uri.ToString(), "0000000000000000", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
            .Write(dir.Path("state", MinerConstants.EnrollmentFile));
        await File.WriteAllTextAsync(dir.Path("state", MinerConstants.FirstBootFile), $$"""
            { "fleetId": "lab1", "gateway": { "mqtt": "{{mosquitto.Uri}}", "publicKey": "{{gatewayKey}}", "gatewayId": "gwA" }, "haDiscoveryPrefix": "homeassistant" }
            """, TestContext.Current.CancellationToken);

        string discoveryTopic = $"homeassistant/device/{deviceId}/config";
        string stateTopic = $"bte/lab1/dev/{deviceId}/state";
        await using MosquittoSub sub = mosquitto.Subscribe(discoveryTopic, stateTopic);
        await using MinerProcess miner = await MinerProcess.StartAsync(dir.Root, dir.Path("notify.sock"), new Dictionary<string, string> { ["BTE_device__trustClock"] = "true" });

        string discovery = await WaitAsync(sub, miner, discoveryTopic, p => p.Length > 0);
        using (JsonDocument config = JsonDocument.Parse(discovery))
        {
            string text = config.RootElement.GetRawText();
            Assert.Contains(stateTopic, text, StringComparison.Ordinal);
            Assert.Contains("bte/lab1/gw/gwA/ha/cmd", text, StringComparison.Ordinal);
            Assert.Contains("x64-sim", text, StringComparison.Ordinal);
        }

        string state = await WaitAsync(sub, miner, stateTopic, p => p.Contains("\"minerState\":\"working\"", StringComparison.Ordinal));
        using (JsonDocument document = JsonDocument.Parse(state))
        {
            JsonElement root = document.RootElement;
            Assert.Equal("miner", root.GetProperty("role").GetString());
            Assert.Equal("normal", root.GetProperty("thermalState").GetString());
            Assert.True(root.GetProperty("powerOk").GetBoolean());
            Assert.True(root.GetProperty("ts").GetInt64() > 0);
        }

        // The outbox lives in the data folder; SIGTERM still stops cleanly with the publisher in the session.
        Assert.True(File.Exists(dir.Path("data", MinerConstants.OutboxFile)), miner.Output);
        Assert.Equal(MinerConstants.ExitOk, await miner.TerminateAsync(s_timeout));
    }

    private static async Task<string> WaitAsync(MosquittoSub sub, MinerProcess miner, string topic, Func<string, bool> payload)
    {
        try
        {
            string line = await sub.WaitForAsync(l => l.StartsWith(topic + " ", StringComparison.Ordinal) && payload(l[(topic.Length + 1)..]), s_timeout);
            return line[(topic.Length + 1)..];
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\nbte-miner:\n{miner.Output}", e);
        }
    }
}
