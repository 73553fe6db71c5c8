// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Gateway.Bus;
using Bittensor.Edge.Gateway.Tests.Support;
using MQTTnet;

namespace Bittensor.Edge.Gateway.Tests.Bus;

public sealed class GatewayBusOptionsTests
{
    // MQTTnet's client pins SO_SNDBUF/SO_RCVBUF to 8 KiB by default; on loopback that made a 4 MiB storage.put take
    // ~2 s (32 KiB: still ~2 s; 64 KiB and up: tens of ms), with every smaller request queued behind it.
    [Fact]
    public async Task The_gateway_bus_client_asks_for_socket_buffers_big_enough_for_sector_sized_envelopes()
    {
        await using GatewayFixture fixture = await GatewayFixture.StartAsync();

        MqttClientOptions options = GatewayBus.BuildClientOptions(fixture.Gateway.Broker, fixture.Topics.GatewayStatus(GatewayFixture.GatewayId), [1]);

        MqttClientTcpOptions tcp = Assert.IsType<MqttClientTcpOptions>(options.ChannelOptions);
        Assert.Equal(GatewayConstants.BusSocketBufferBytes, tcp.BufferSize);
        Assert.True(tcp.BufferSize >= 256 * 1024, $"BufferSize {tcp.BufferSize} is back near MQTTnet's 8 KiB default");
        Assert.True(tcp.NoDelay);
    }
}
