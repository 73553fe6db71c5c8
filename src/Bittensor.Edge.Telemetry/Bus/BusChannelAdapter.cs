// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;

namespace Bittensor.Edge.Telemetry.Bus;

/// <summary>
/// The device bus's MQTT channel adapter: MQTTnet's own <see cref="MqttChannelAdapter"/> for connecting and sending, and
/// its own receive path, which reads each packet once into one array and hands a PUBLISH payload on as a slice of it.
/// </summary>
/// <remarks>
/// <para><b>Why.</b> MQTTnet 5.2 reads a packet body into a new array and then copies a PUBLISH payload out of it into a
/// second one (<c>MqttBufferReader.ReadRemainingData</c>). A 4 MiB <c>storage.put</c> therefore cost the device 8 MiB of
/// large-object heap. Here it costs 4 MiB: the variable header (topic, packet id, properties) is decoded by MQTTnet's own
/// decoder over the first bytes, and the payload is the rest of the same array.</para>
/// <para><b>Maximum packet size.</b> The device announces its maximum packet size in CONNECT, but MQTTnet's receive path
/// allocates whatever length a packet's header claims, and MQTTnet's broker does not honour the announced maximum. This
/// one never holds a packet over the maximum. It reads past an oversized PUBLISH in 64 KiB pieces and hands on the
/// header with an empty payload, marked with <see cref="OversizedProperty"/>, for the device to log, drop and
/// acknowledge. The connection stays up, and a persistent session does not redeliver the message after every reconnect.
/// Any other packet over the maximum is a protocol error (MQTT 5 §3.1.2.11.4) and drops the connection. A faulty or
/// hostile broker thus costs the device at most one maximum-size packet, not 256 MiB.</para>
/// </remarks>
internal sealed class BusChannelAdapter : IMqttChannelAdapter
{
    /// <summary>PUBLISH is MQTT control packet type 3.</summary>
    private const int PublishPacketType = 3;

    private readonly IMqttChannel _channel;
    private readonly MqttChannelAdapter _inner;
    private readonly int _maximumPacketSize;
    private readonly MqttPacketInspector? _inspector;
    private readonly byte[] _header = new byte[5];

    // The fixed header again, as whole arrays of its 2 to 5 bytes, for the packet inspector (which takes whole arrays).
    private readonly byte[][] _headerCopies = [[], [], new byte[2], new byte[3], new byte[4], new byte[5]];
    private long _bytesReceived;

    /// <param name="channel">The transport; owned by the adapter.</param>
    /// <param name="options">The client's options: protocol version, write buffer sizes, packet fragmentation, and the
    /// maximum packet size it announces (0: MQTT's own limit).</param>
    /// <param name="inspector">MQTTnet's packet inspector (it does nothing unless someone subscribed to it).</param>
    /// <param name="logger">MQTTnet's logger.</param>
    public BusChannelAdapter(IMqttChannel channel, MqttClientOptions options, MqttPacketInspector? inspector, IMqttNetLogger logger)
    {
        _channel = channel;
        _inspector = inspector;
        _maximumPacketSize = options.MaximumPacketSize is > 0 and < MaximumPacketBytes ? (int)options.MaximumPacketSize : MaximumPacketBytes;
        MqttPacketFormatterAdapter formatter = new(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        _inner = new MqttChannelAdapter(channel, formatter, logger) { AllowPacketFragmentation = options.AllowPacketFragmentation, PacketInspector = inspector };
    }

    /// <summary>
    /// The user property on a PUBLISH that was over the maximum packet size and was skipped; its value is the packet's size
    /// in bytes, and its payload is empty.
    /// </summary>
    internal const string OversizedProperty = "bte-oversized-bytes";

    /// <summary>How much of an oversized PUBLISH is read to find its topic and properties; also the chunk its rest is skipped in.</summary>
    internal const int OversizedHeadBytes = 64 * 1024;

    /// <summary>The largest packet MQTT can frame: a four-byte remaining length of 268 435 455 after a 5-byte fixed header.</summary>
    internal const int MaximumPacketBytes = 268_435_455 + 5;

    /// <summary>Packets whose payload was handed on without a copy, for tests.</summary>
    internal long ZeroCopyPublishes { get; private set; }

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    public long BytesSent => _inner.BytesSent;

    public X509Certificate2 ClientCertificate => _channel.ClientCertificate;

    public EndPoint RemoteEndPoint => _channel.RemoteEndPoint;

    public EndPoint LocalEndPoint => _channel.LocalEndPoint;

    public bool IsSecureConnection => _channel.IsSecureConnection;

    public MqttPacketFormatterAdapter PacketFormatterAdapter => _inner.PacketFormatterAdapter;

    public Task ConnectAsync(CancellationToken cancellationToken) => _inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => _inner.DisconnectAsync(cancellationToken);

    public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => _inner.SendPacketAsync(packet, cancellationToken);

    public void ResetStatistics()
    {
        _inner.ResetStatistics();
        Interlocked.Exchange(ref _bytesReceived, 0);
    }

    public void Dispose() => _inner.Dispose();

    /// <summary>Reads one packet; null when the connection closed or the read was cancelled (as MQTTnet's adapter answers).</summary>
    public async Task<MqttPacket?> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        try
        {
            _inspector?.BeginReceivePacket();
            (int headerLength, int length) = await ReadFixedHeaderAsync(cancellationToken).ConfigureAwait(false);
            if (headerLength == 0)
            {
                return null;
            }

            // MQTT 5's maximum packet size counts the whole packet, fixed header included.
            byte fixedHeader = _header[0];
            long packetSize = (long)headerLength + length;
            if (packetSize > _maximumPacketSize)
            {
                Interlocked.Add(ref _bytesReceived, packetSize);
                return await SkipOversizedAsync(fixedHeader, length, packetSize, cancellationToken).ConfigureAwait(false);
            }

            byte[] body = length == 0 ? [] : GC.AllocateUninitializedArray<byte>(length);
            if (!await ReadExactlyAsync(body, 0, length, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            Interlocked.Add(ref _bytesReceived, packetSize);
            if (_inspector is not null)
            {
                byte[] copy = _headerCopies[headerLength];
                _header.AsSpan(0, headerLength).CopyTo(copy);
                _inspector.FillReceiveBuffer(copy);
                _inspector.FillReceiveBuffer(body);
                await _inspector.EndReceivePacket().ConfigureAwait(false);
            }

            return Decode(fixedHeader, body);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        catch (Exception e) when (e is not (MqttCommunicationException or MqttProtocolViolationException))
        {
            // As MQTTnet's adapter: an aborted socket read is a cancellation, anything else a communication failure.
            if ((e is IOException { InnerException: SocketException inner } ? inner : e) is SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                return null;
            }

            throw new MqttCommunicationException(e);
        }
    }

    /// <summary>
    /// Reads past a packet over the announced maximum without holding it. A PUBLISH comes back with its topic, packet id
    /// and properties, an empty payload and the <see cref="OversizedProperty"/> user property giving its size, so that the
    /// device drops it, logs it and acknowledges it (a persistent session would otherwise redeliver it after every
    /// reconnect). Any other packet that large is a protocol error.
    /// </summary>
    private async Task<MqttPacket> SkipOversizedAsync(byte fixedHeader, int length, long packetSize, CancellationToken cancellationToken)
    {
        string refusal = $"The broker sent a packet of {packetSize} bytes, over the maximum packet size of {_maximumPacketSize} bytes this client announced.";
        if (fixedHeader >> 4 != PublishPacketType || PacketFormatterAdapter.ProtocolVersion != MqttProtocolVersion.V500)
        {
            throw new MqttProtocolViolationException(refusal);
        }

        byte[] head = new byte[Math.Min(length, OversizedHeadBytes)];
        if (!await ReadExactlyAsync(head, 0, head.Length, cancellationToken).ConfigureAwait(false))
        {
            throw new MqttCommunicationException(refusal + " The connection closed inside it.");
        }

        if (!TryMeasurePublishHeader(fixedHeader, head, out int headerLength))
        {
            throw new MqttProtocolViolationException(refusal + $" Its topic and properties do not fit its first {head.Length} bytes.");
        }

        MqttPacket packet = PacketFormatterAdapter.Decode(new ReceivedMqttPacket(fixedHeader, new ArraySegment<byte>(head, 0, headerLength), headerLength + 2));
        for (long left = length - head.Length; left > 0;)
        {
            int chunk = (int)Math.Min(left, head.Length);
            if (!await ReadExactlyAsync(head, 0, chunk, cancellationToken).ConfigureAwait(false))
            {
                throw new MqttCommunicationException(refusal + " The connection closed inside it.");
            }

            left -= chunk;
        }

        if (packet is not MqttPublishPacket publish)
        {
            throw new MqttProtocolViolationException(refusal);
        }

        publish.Payload = ReadOnlySequence<byte>.Empty;
        publish.UserProperties ??= [];
        publish.UserProperties.Add(new MqttUserProperty(OversizedProperty, new ReadOnlyMemory<byte>(System.Text.Encoding.ASCII.GetBytes(packetSize.ToString(System.Globalization.CultureInfo.InvariantCulture)))));
        return publish;
    }

    /// <summary>The packet size <see cref="SkipOversizedAsync"/> marked on a skipped PUBLISH; null for any other message.</summary>
    internal static long? SkippedPacketBytes(MqttApplicationMessage message)
    {
        foreach (MqttUserProperty property in message.UserProperties ?? [])
        {
            if (property.Name == OversizedProperty
                && System.Buffers.Text.Utf8Parser.TryParse(property.ValueBuffer.Span, out long size, out int used)
                && used == property.ValueBuffer.Length)
            {
                return size;
            }
        }

        return null;
    }

    /// <summary>Decodes a whole packet body; a PUBLISH keeps its payload as a slice of <paramref name="body"/>.</summary>
    internal MqttPacket Decode(byte fixedHeader, byte[] body)
    {
        MqttPacketFormatterAdapter formatter = PacketFormatterAdapter;
        if (fixedHeader >> 4 == PublishPacketType
            && formatter.ProtocolVersion == MqttProtocolVersion.V500
            && TryMeasurePublishHeader(fixedHeader, body, out int headerLength)
            && headerLength < body.Length)
        {
            // The decoder reads topic, packet id and properties from the header bytes and finds no payload after them;
            // the payload is then the rest of the body, as it stands.
            MqttPacket packet = formatter.Decode(new ReceivedMqttPacket(fixedHeader, new ArraySegment<byte>(body, 0, headerLength), headerLength + 2));
            if (packet is MqttPublishPacket publish)
            {
                publish.Payload = new ReadOnlySequence<byte>(body, headerLength, body.Length - headerLength);
                ZeroCopyPublishes++;
                return publish;
            }
        }

        // Anything else, and any PUBLISH whose header does not add up, goes to MQTTnet's decoder whole (which names the fault).
        return formatter.Decode(new ReceivedMqttPacket(fixedHeader, new ArraySegment<byte>(body), body.Length + 2))
            ?? throw new MqttProtocolViolationException("Received malformed packet.");
    }

    /// <summary>The length of an MQTT 5 PUBLISH variable header: topic, packet id when QoS &gt; 0, and properties.</summary>
    internal static bool TryMeasurePublishHeader(byte fixedHeader, ReadOnlySpan<byte> body, out int length)
    {
        length = 0;
        if (body.Length < 2)
        {
            return false;
        }

        int position = 2 + ((body[0] << 8) | body[1]);
        if (((fixedHeader >> 1) & 3) != 0)
        {
            position += 2;
        }

        // The property length is a variable byte integer of at most four bytes.
        int properties = 0;
        int shift = 0;
        for (int i = 0; ; i++)
        {
            if (i == 4 || position >= body.Length)
            {
                return false;
            }

            byte b = body[position++];
            properties |= (b & 0x7F) << shift;
            shift += 7;
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        long end = (long)position + properties;
        if (end > body.Length)
        {
            return false;
        }

        length = (int)end;
        return true;
    }

    /// <summary>
    /// Reads the fixed header into <see cref="_header"/>: the type and flags byte and a remaining length of 1 to 4 bytes.
    /// Returns the header's length (0 when the connection closed) and the remaining length.
    /// </summary>
    private async Task<(int HeaderLength, int RemainingLength)> ReadFixedHeaderAsync(CancellationToken cancellationToken)
    {
        if (!await ReadExactlyAsync(_header, 0, 1, cancellationToken).ConfigureAwait(false))
        {
            return (0, 0);
        }

        int value = 0;
        for (int i = 1; i <= 4; i++)
        {
            if (!await ReadExactlyAsync(_header, i, 1, cancellationToken).ConfigureAwait(false))
            {
                return (0, 0);
            }

            value |= (_header[i] & 0x7F) << (7 * (i - 1));
            if ((_header[i] & 0x80) == 0)
            {
                return (i + 1, value);
            }
        }

        throw new MqttProtocolViolationException("Remaining length is invalid.");
    }

    /// <summary>Fills <paramref name="count"/> bytes; false when the connection closed first.</summary>
    private async Task<bool> ReadExactlyAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int read = await _channel.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            offset += read;
            count -= read;
        }

        return true;
    }
}

/// <summary>
/// MQTTnet client adapters that read each packet once and hand a PUBLISH payload on as a slice of the packet's own array
/// (no copy), and never hold a packet over the client's announced maximum packet size: pass one to
/// <c>MqttClientFactory.CreateMqttClient</c>. TCP and TLS channels only; a WebSocket channel gets MQTTnet's own adapter.
/// </summary>
/// <remarks>The payload array belongs to the message alone (nothing reuses it), so a handler may keep it.</remarks>
public sealed class BusChannelAdapterFactory : IMqttClientAdapterFactory
{
    private static readonly MqttClientAdapterFactory s_default = new();

    /// <inheritdoc/>
    public IMqttChannelAdapter CreateClientAdapter(MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);

        // WebSocket channels are not the bus's: MQTTnet's own adapter serves them as before.
        if (options.ChannelOptions is not MqttClientTcpOptions)
        {
            return s_default.CreateClientAdapter(options, packetInspector, logger);
        }

        return new BusChannelAdapter(new MqttTcpChannel(options), options, packetInspector, logger);
    }
}
