// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Bittensor.Edge.Inference.Sessions;

namespace Bittensor.Edge.Inference.Wire;

/// <summary>
/// Writes the <c>Inference</c> response body <c>{"outputs":[{"name","dtype","shape","data"}…],"computeUs"}</c> for one
/// model straight from the session's pooled output buffer into a pooled array (released by the caller through
/// <see cref="InferenceResult.ReleaseResponse"/>): the JSON around the numbers
/// is made once per model (names JSON-escaped), so a response touches only the output rows and the array it returns.
/// After a large model's run the caches are cold, and every extra buffer or copy costs memory traffic that the overhead
/// benchmark (inference.md §7) sees.
/// </summary>
/// <remarks>Thread-safe (immutable after construction); the same bytes as <see cref="InferenceWire.WriteResponse(IReadOnlyList{NamedTensor}, ulong)"/>.</remarks>
internal sealed class WireResponseWriter
{
    private static readonly byte[] s_start = "{\"outputs\":["u8.ToArray();
    private static readonly byte[] s_end = "],\"computeUs\":"u8.ToArray();

    // Per output: {"name":"…","dtype":"…","shape":[   (preceded by a comma after the first)
    private readonly byte[][] _beforeRows;

    // Per output: ,d1,d2…],"data":"
    private readonly byte[][] _afterRows;

    public WireResponseWriter(ModelSignature signature)
    {
        int count = signature.Outputs.Count;
        _beforeRows = new byte[count][];
        _afterRows = new byte[count][];
        for (int o = 0; o < count; o++)
        {
            TensorSpec spec = signature.Outputs[o];
            StringBuilder before = new();
            before.Append(o == 0 ? "{" : ",{").Append("\"name\":\"").Append(JsonEncodedText.Encode(spec.Name).Value)
                .Append("\",\"dtype\":\"").Append(InferenceDTypes.Name(spec.DType)).Append("\",\"shape\":[");
            StringBuilder after = new();
            foreach (long dim in spec.RowShape)
            {
                after.Append(',').Append(dim.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            after.Append("],\"data\":\"");
            _beforeRows[o] = Encoding.UTF8.GetBytes(before.ToString());
            _afterRows[o] = Encoding.UTF8.GetBytes(after.ToString());
        }
    }

    /// <summary>
    /// The body for <paramref name="rows"/> rows from row <paramref name="offset"/> of a run of <paramref name="batchRows"/>
    /// rows, in the first <paramref name="bodyLength"/> bytes of an array rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>.
    /// </summary>
    public byte[] Write(ModelSession session, int batchRows, int offset, int rows, ulong computeUs, out int bodyLength)
    {
        Span<byte> number = stackalloc byte[20];
        int length = s_start.Length + s_end.Length + Digits(computeUs) + 1;
        int rowDigits = Digits((ulong)rows);
        for (int o = 0; o < _beforeRows.Length; o++)
        {
            length += _beforeRows[o].Length + rowDigits + _afterRows[o].Length + Base64.GetMaxEncodedToUtf8Length(rows * session.OutputRowBytes(o)) + 2;
        }

        byte[] body = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        Span<byte> span = body.AsSpan(0, length);
        int at = Put(span, 0, s_start);
        for (int o = 0; o < _beforeRows.Length; o++)
        {
            at = Put(span, at, _beforeRows[o]);
            Utf8Formatter.TryFormat(rows, span[at..], out int written);
            at += written;
            at = Put(span, at, _afterRows[o]);
            int rowBytes = session.OutputRowBytes(o);
            Base64.EncodeToUtf8(session.OutputBuffer(o, batchRows).Slice(offset * rowBytes, rows * rowBytes), span[at..], out _, out written);
            at += written;
            span[at++] = (byte)'"';
            span[at++] = (byte)'}';
        }

        at = Put(span, at, s_end);
        Utf8Formatter.TryFormat(computeUs, number, out int digits);
        at = Put(span, at, number[..digits]);
        span[at++] = (byte)'}';
        System.Diagnostics.Debug.Assert(at == length, "The response length was computed wrong.");
        bodyLength = length;
        return body;
    }

    private static int Put(Span<byte> span, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(span[at..]);
        return at + bytes.Length;
    }

    private static int Digits(ulong value)
    {
        int digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}
