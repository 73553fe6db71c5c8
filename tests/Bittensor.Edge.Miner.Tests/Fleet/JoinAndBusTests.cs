// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Miner.Device;
using Bittensor.Edge.Miner.Hosting;
using Bittensor.Edge.Miner.Tests.Infrastructure;
using Bittensor.Edge.Protocol.Fleet;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage;
using Bittensor.Edge.Storage.Merkle;
using Bittensor.Edge.Storage.Proofs;

namespace Bittensor.Edge.Miner.Tests.Fleet;

public sealed class JoinAndBusTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_fresh_device_joins_with_its_token_logs_in_as_itself_serves_the_bus_and_stops_cleanly()
    {
        await using TestFleet fleet = await TestFleet.StartAsync();
        JoinToken token = fleet.CreateToken();
        await using DeviceRig device = new(fleet.FirstBootJson(token));
        device.Start();

        string ready = await device.Notify.WaitForAsync("READY=1", s_timeout);
        Assert.Contains("STATUS=", ready, StringComparison.Ordinal);
        Assert.True(File.Exists(device.DataPath("device.key")));
        Assert.True(File.Exists(device.DataPath("models", "mlp-tiny-v1.onnx")));
        Assert.True(File.Exists(device.DataPath("models", "cnn-tiny-v1.onnx")));

        string deviceId = await fleet.FirstEnrollment.Task.WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        byte[] online = await fleet.WaitRetainedAsync(fleet.Topics.Status(deviceId), p => StatusMessage.TryDecode(p, out StatusMessage? m) && m!.State == StatusMessage.Online, s_timeout);
        Assert.True(StatusMessage.TryDecode(online, out StatusMessage? birth));
        Assert.Contains(deviceId, fleet.Logins);

        // The join left its traces: enrollment written, token gone from the local first-boot copy, Wi-Fi kept.
        Assert.True(Enrollment.TryRead(device.EnrollmentPath, out Enrollment? enrollment, out _));
        Assert.Equal(deviceId, enrollment.DeviceId);
        string firstBoot = await File.ReadAllTextAsync(device.FirstBootPath, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("joinToken", firstBoot, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Text, firstBoot, StringComparison.Ordinal);
        Assert.Contains("\"ssid\"", firstBoot, StringComparison.Ordinal);

        // The token itself never crossed the wire: neither its text nor its secret bytes nor its verifier.
        byte[] tokenText = System.Text.Encoding.UTF8.GetBytes(token.Text);
        byte[] secret = Convert.FromBase64String(token.Text[JoinToken.Prefix.Length..].Replace('-', '+').Replace('_', '/') + "=");
        foreach (byte[] payload in fleet.AllPayloads)
        {
            string base64 = System.Text.Encoding.UTF8.GetString(payload);
            Assert.False(payload.AsSpan().IndexOf(tokenText) >= 0 || payload.AsSpan().IndexOf(secret) >= 0 || payload.AsSpan().IndexOf(token.Verifier) >= 0);
            Assert.DoesNotContain(Convert.ToBase64String(secret), base64, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(token.Verifier), base64, StringComparison.Ordinal);
        }

        // Storage over the bus, answered and signed by the device, proofs checked against our own root.
        byte[] sector = DispatcherRigSector();
        Hash256 root = SectorTree.ComputeRoot(sector);
        (BusResponseHeader put, _) = await fleet.CallAsync(deviceId, BusRequestHeader.Encode(BusMethods.StoragePut, Deadline(), new StoragePutParams(root), FleetJsonContext.Default.StoragePutParams), sector, s_timeout);
        Assert.True(put.Ok, put.Message);
        ChallengeItem[] items = [new(root, 7), new(root, 700)];
        (BusResponseHeader prove, byte[] leaves) = await fleet.CallAsync(deviceId, BusRequestHeader.Encode(BusMethods.StorageProve, Deadline(), new StorageProveParams(items), FleetJsonContext.Default.StorageProveParams), ReadOnlyMemory<byte>.Empty, s_timeout);
        Assert.True(prove.Ok, prove.Message);
        StorageProveResult proofs = prove.ReadResult(FleetJsonContext.Default.StorageProveResult);
        for (int i = 0; i < items.Length; i++)
        {
            Assert.Equal(ProofStatus.Valid, ProofVerifier.VerifyLeaf(root, items[i].Leaf, leaves.AsSpan(i * StorageConstants.LeafSize, StorageConstants.LeafSize), proofs.Proofs[i].Path));
        }

        // Inference on a bundled model generated at start.
        GeneratedModel model = BundledModels.Create(BundledModels.CnnTiny);
        float[] input = new float[784];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = (i % 17) / 17f;
        }

        byte[] body = MemoryMarshal.AsBytes(input.AsSpan()).ToArray();
        InferRunParams run = new(model.Id, model.Sha256, [new BusInferItem([new BusTensor("x", TensorDType.Float32, [1, 1, 28, 28], 0, body.Length)])]);
        (BusResponseHeader infer, byte[] outputs) = await fleet.CallAsync(deviceId, BusRequestHeader.Encode(BusMethods.InferRun, Deadline(), run, FleetJsonContext.Default.InferRunParams), body, s_timeout);
        Assert.True(infer.Ok, infer.Message);
        float[] expected = model.Forward(input, 1);
        float[] actual = MemoryMarshal.Cast<byte, float>(outputs.AsSpan()).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) < 1e-3));

        // The retained state document tells what the device does, and Home Assistant discovery names the board.
        byte[] state = await fleet.WaitRetainedAsync(fleet.Topics.State(deviceId), p => System.Text.Encoding.UTF8.GetString(p).Contains("\"minerState\":\"working\"", StringComparison.Ordinal), s_timeout);
        string stateJson = System.Text.Encoding.UTF8.GetString(state);
        Assert.Contains("\"role\":\"miner\"", stateJson, StringComparison.Ordinal);
        Assert.Contains("\"thermalState\":\"normal\"", stateJson, StringComparison.Ordinal);
        byte[] discovery = await fleet.WaitRetainedAsync(fleet.Topics.HaDiscovery(deviceId), p => p.Length > 0, s_timeout);
        Assert.Contains("x64-sim", System.Text.Encoding.UTF8.GetString(discovery), StringComparison.Ordinal);

        await device.Notify.WaitForAsync("WATCHDOG=1", s_timeout);

        // SIGTERM: STOPPING=1, a clean retained offline with the same bdSeq, exit 0.
        Assert.Equal(MinerConstants.ExitOk, await device.StopAsync());
        await device.Notify.WaitForAsync("STOPPING=1", s_timeout);
        byte[] offline = await fleet.WaitRetainedAsync(fleet.Topics.Status(deviceId), p => StatusMessage.TryDecode(p, out StatusMessage? m) && m!.State == StatusMessage.Offline, s_timeout);
        Assert.True(StatusMessage.TryDecode(offline, out StatusMessage? death));
        Assert.True(death!.Clean);
        Assert.Equal(birth!.BdSeq, death.BdSeq);
    }

    [Fact]
    public async Task A_join_answer_over_the_announced_maximum_packet_size_is_never_read_and_the_real_answer_is()
    {
        await using TestFleet fleet = await TestFleet.StartAsync();
        fleet.OversizedJoinAnswerBytes = 1024 * 1024;   // a decodable rejection, padded past JoinClient.JoinMaximumPacketBytes
        JoinToken token = fleet.CreateToken();
        await using DeviceRig device = new(fleet.FirstBootJson(token));
        device.Start();

        string deviceId = await fleet.FirstEnrollment.Task.WaitAsync(s_timeout, TestContext.Current.CancellationToken);
        await fleet.WaitRetainedAsync(fleet.Topics.Status(deviceId), p => StatusMessage.TryDecode(p, out StatusMessage? m) && m!.State == StatusMessage.Online, s_timeout);

        Assert.True(Enrollment.TryRead(device.EnrollmentPath, out Enrollment? enrollment, out _));
        Assert.Equal(deviceId, enrollment.DeviceId);
        Assert.Empty(fleet.Rejections);
        Assert.Equal(MinerConstants.ExitOk, await device.StopAsync());
    }

    [Fact]
    public async Task A_rejected_join_is_a_clear_state_and_keeps_the_token_file_untouched()
    {
        await using TestFleet fleet = await TestFleet.StartAsync();
        JoinToken unknown = JoinToken.Create(); // never registered with the gateway
        await using DeviceRig device = new(fleet.FirstBootJson(unknown));
        device.Start();
        await device.WaitForStateAsync(MinerState.Rejected, s_timeout);
        Assert.Contains(JoinRejectReasons.TokenUnknown, device.Host.Status.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(device.EnrollmentPath));
        Assert.Contains(unknown.Text, await File.ReadAllTextAsync(device.FirstBootPath, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Empty(fleet.Enrolled);
        Assert.Equal(MinerConstants.ExitOk, await device.StopAsync());
    }

    [Fact]
    public async Task A_gateway_that_cannot_prove_the_pinned_key_never_sees_a_proof()
    {
        await using TestFleet fleet = await TestFleet.StartAsync();
        JoinToken token = fleet.CreateToken();
        using Ed25519KeyPair otherGateway = Ed25519KeyPair.Generate();
        await using DeviceRig device = new(fleet.FirstBootJson(token, pinned: otherGateway));
        device.Start();
        await device.WaitForStateAsync(MinerState.Rejected, s_timeout);
        Assert.Empty(fleet.Rejections); // no proof arrived, so the gateway never judged one
        Assert.Empty(fleet.Enrolled);
        Assert.Contains("pinned", device.Host.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_first_boot_file_the_device_is_ready_but_unconfigured()
    {
        await using DeviceRig device = new(firstBootJson: null);
        device.Start();
        await device.Notify.WaitForAsync("READY=1", s_timeout);
        await device.WaitForStateAsync(MinerState.Unconfigured, s_timeout);
        Assert.Contains("firstboot.json", device.Host.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(MinerConstants.ExitOk, await device.StopAsync());
    }

    private static long Deadline() => DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeMilliseconds();

    private static byte[] DispatcherRigSector() => System.Security.Cryptography.RandomNumberGenerator.GetBytes(StorageConstants.SectorSize);
}
