// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Protocol.Fleet;

namespace Bittensor.Edge.Protocol.Tests.Fleet;

public sealed class DeviceIdsAndTopicsTests
{
    // RFC 8032 §7.1 test 1 public key; the id was computed outside the product with CPython
    // ("dev-" + base64.b32encode(sha256(pub)[:10]).lower()).
    private static readonly PublicKey s_rfcKey = new(Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));
    private const string RfcDeviceId = "dev-eh7ddx5bksrgcytl";

    [Fact]
    public void Device_id_matches_the_independent_computation()
    {
        Assert.Equal(RfcDeviceId, DeviceIds.FromPublicKey(s_rfcKey));
        Assert.True(DeviceIds.IsValid(RfcDeviceId));
    }

    [Theory]
    [InlineData("")]
    [InlineData("dev-eh7ddx5bksrgcyt")]
    [InlineData("dev-eh7ddx5bksrgcytlx")]
    [InlineData("dev-EH7DDX5BKSRGCYTL")]
    [InlineData("dev-eh7ddx5bksrgcyt1")]
    [InlineData("xyz-eh7ddx5bksrgcytl")]
    [InlineData("dev-eh7ddx5bksrg/+#l")]
    public void Malformed_device_ids_are_refused(string value) => Assert.False(DeviceIds.IsValid(value));

    [Fact]
    public void Topics_follow_the_spec_layout()
    {
        FleetTopics topics = FleetTopics.ForFleet("lab1", "ha");
        Assert.Equal("bte/lab1/dev/" + RfcDeviceId + "/status", topics.Status(RfcDeviceId));
        Assert.Equal("bte/lab1/dev/" + RfcDeviceId + "/telemetry/backfill", topics.TelemetryBackfill(RfcDeviceId));
        Assert.Equal("bte/lab1/dev/" + RfcDeviceId + "/cmd/#", topics.CommandFilter(RfcDeviceId));
        Assert.Equal("bte/lab1/dev/" + RfcDeviceId + "/rpc/req", topics.RpcRequest(RfcDeviceId));
        Assert.Equal("bte/lab1/gw/gw1/registry", topics.GatewayRegistry("gw1"));
        Assert.Equal("ha/device/" + RfcDeviceId + "/config", topics.HaDiscovery(RfcDeviceId));
        Assert.Equal("ha/status", topics.HaStatus);
        Assert.Equal("bte/lab1/join/join-0123456789abcdef/req", topics.JoinRequest("join-0123456789abcdef"));
    }

    [Fact]
    public void Device_topics_parse_back_to_id_and_rest()
    {
        FleetTopics topics = FleetTopics.ForFleet("lab1");
        Assert.True(topics.TryParseDeviceTopic(topics.Command(RfcDeviceId, "restart"), out string id, out string rest));
        Assert.Equal(RfcDeviceId, id);
        Assert.Equal("cmd/restart", rest);

        Assert.False(topics.TryParseDeviceTopic("bte/lab2/dev/" + RfcDeviceId + "/state", out _, out _));
        Assert.False(topics.TryParseDeviceTopic("bte/lab1/dev/+/state", out _, out _));
        Assert.False(topics.TryParseDeviceTopic("bte/lab1/dev/" + RfcDeviceId, out _, out _));
        Assert.False(topics.TryParseDeviceTopic("bte/lab1/dev/" + RfcDeviceId + "/", out _, out _));
    }

    [Theory]
    [InlineData("lab/1")]
    [InlineData("lab+")]
    [InlineData("#")]
    [InlineData("")]
    public void Wildcards_and_separators_are_refused_in_names(string fleetId) =>
        Assert.ThrowsAny<ArgumentException>(() => FleetTopics.ForFleet(fleetId));

    [Fact]
    public void A_topic_for_something_that_is_not_a_device_id_is_refused()
    {
        FleetTopics topics = FleetTopics.ForFleet("lab1");
        Assert.Throws<ArgumentException>(() => topics.State("dev-+"));
    }
}
