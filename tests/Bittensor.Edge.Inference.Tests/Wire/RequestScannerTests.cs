// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Inference.Wire;
using FsCheck.Xunit;

namespace Bittensor.Edge.Inference.Tests.Wire;

/// <summary>
/// The request scanner is a fast path: every body it takes must read exactly as the full JSON reader reads it, and every
/// body it declines goes to the full reader, so <see cref="InferenceWire.TryReadRequest"/> answers as the full reader does.
/// </summary>
public sealed class RequestScannerTests
{
    private static readonly Hash256 s_sha = Sha256.Hash("model"u8);

    private static NamedTensor Tensor(string name, InferenceDType dtype, long[] shape, int bytes, byte seed = 1) =>
        new(name, dtype, shape, Enumerable.Range(0, bytes).Select(i => (byte)(i * 31 + seed)).ToArray());

    private static byte[] Body(params NamedTensor[] inputs) => InferenceWire.WriteRequest("mlp-tiny-v1", s_sha, inputs);

    public static TheoryData<string> WriterBodies => new()
    {
        Encoding.UTF8.GetString(Body(Tensor("x", InferenceDType.Float32, [1, 64], 256))),
        Encoding.UTF8.GetString(Body(Tensor("x", InferenceDType.Float32, [3, 64], 768), Tensor("mask", InferenceDType.Bool, [3, 5], 15))),
        Encoding.UTF8.GetString(Body(Tensor("ids", InferenceDType.Int64, [2, 4], 64), Tensor("h", InferenceDType.Float16, [2, 1, 2, 2], 16), Tensor("u", InferenceDType.UInt8, [2], 2), Tensor("i", InferenceDType.Int32, [2, 3], 24))),
        Encoding.UTF8.GetString(Body(Tensor("scalar", InferenceDType.Float32, [], 4))),
        Encoding.UTF8.GetString(Body(Tensor("empty", InferenceDType.Float32, [0, 8], 0))),
        Encoding.UTF8.GetString(Body(Tensor("big", InferenceDType.Int32, [999_999_999_999_999_999], 4))),
    };

    [Theory]
    [MemberData(nameof(WriterBodies))]
    public void Bodies_the_writer_makes_take_the_fast_path_and_read_as_the_full_reader_reads_them(string text)
    {
        byte[] body = Encoding.UTF8.GetBytes(text);

        Assert.True(RequestScanner.TryRead(body, out WireRequest fast));
        Assert.True(InferenceWire.TryReadRequestFully(body, out WireRequest full, out _));
        AssertSame(full, fast);
        Assert.All(fast.Inputs, t => Assert.True(t.IsBase64));
    }

    [Fact]
    public void Base64_inputs_are_written_unescaped_and_read_back_by_the_scanner()
    {
        // 0xFB 0xEF 0xBE encodes to "++++" and 0xFF 0xFF 0xFF to "////": characters a default JSON writer escapes.
        byte[] raw = [0xFB, 0xEF, 0xBE, 0xFF, 0xFF, 0xFF, 1, 2, 3];
        NamedTensor text = new("x", InferenceDType.UInt8, [1, 9], Encoding.ASCII.GetBytes(Convert.ToBase64String(raw))) { IsBase64 = true };
        byte[] body = Body(text);

        Assert.DoesNotContain((byte)'\\', body);
        Assert.True(RequestScanner.TryRead(body, out WireRequest fast));
        Assert.Equal(text.Data.ToArray(), fast.Inputs[0].Data.ToArray());
        Assert.Equal(raw, Convert.FromBase64String(Encoding.ASCII.GetString(fast.Inputs[0].Data.Span)));
        AssertSameOutcome(body);
    }

    [Fact]
    public void Spacing_and_member_order_of_other_writers_take_the_fast_path()
    {
        // Python's json.dumps(indent=1) style: spaces after separators, newlines, members in another order.
        string data = Convert.ToBase64String(new byte[16]);
        byte[] body = Encoding.UTF8.GetBytes(
            $"\r\n{{ \"inputs\": [\n  {{\"data\": \"{data}\", \"shape\": [ 1 , 4 ],\t\"dtype\": \"float32\", \"name\": \"x\" }}\n ],\n \"modelSha256\": \"{s_sha.ToString("x", null)}\",\n \"modelId\": \"m-1\"\n}}\n");

        Assert.True(RequestScanner.TryRead(body, out WireRequest fast));
        Assert.True(InferenceWire.TryReadRequestFully(body, out WireRequest full, out _));
        AssertSame(full, fast);
        Assert.Equal("m-1", fast.ModelId);
        Assert.Equal([1L, 4L], fast.Inputs[0].Shape);
    }

    public static TheoryData<string> DeclinedBodies
    {
        get
        {
            string sha = s_sha.ToString("x", null);
            NamedTensor x = Tensor("x", InferenceDType.Float32, [1, 4], 16);
            string ok = Encoding.UTF8.GetString(Body(x));
            string data = Convert.ToBase64String(x.Data.Span);
            TheoryData<string> bodies = new()
            {
                ok.Replace("\"modelId\":\"mlp-tiny-v1\"", "\"model\\u0049d\":\"mlp-tiny-v1\"", StringComparison.Ordinal), // an escaped key
                ok.Replace("mlp-tiny-v1", "mlp-tiny-v\\u0031", StringComparison.Ordinal), // an escaped id
                ok.Replace("mlp-tiny-v1", "módel", StringComparison.Ordinal), // UTF-8 in the id
                ok.Replace("\"name\":\"x\"", "\"name\":\"\"", StringComparison.Ordinal), // an empty name
                ok.Replace("\"modelId\":\"mlp-tiny-v1\"", "\"modelId\":\"\"", StringComparison.Ordinal), // an empty id
                ok.Replace("{\"modelId\"", "{\"extra\":1,\"modelId\"", StringComparison.Ordinal), // an unknown member
                ok.Replace("{\"modelId\"", "{\"modelId\":\"other\",\"modelId\"", StringComparison.Ordinal), // a repeated member
                ok.Replace("[1,4]", "[1,-4]", StringComparison.Ordinal),
                ok.Replace("[1,4]", "[1,4.0]", StringComparison.Ordinal),
                ok.Replace("[1,4]", "[1,4e0]", StringComparison.Ordinal),
                ok.Replace("[1,4]", "[01,4]", StringComparison.Ordinal),
                ok.Replace("[1,4]", "[1,4,]", StringComparison.Ordinal),
                ok.Replace("[1,4]", "[1,1,1,1,1,1,1,1,4]", StringComparison.Ordinal), // rank 9
                ok.Replace("[1,4]", "[1,12345678901234567890]", StringComparison.Ordinal), // beyond a long
                ok.Replace(data, data[..^1], StringComparison.Ordinal), // not a multiple of 4
                ok.Replace(data, "AA\\/A" + data[5..], StringComparison.Ordinal), // an escape inside the data
                ok.Replace(data, data[..4] + " " + data[4..], StringComparison.Ordinal),
                ok.Replace("float32", "float64", StringComparison.Ordinal),
                ok.Replace(sha, sha.ToUpperInvariant(), StringComparison.Ordinal),
                ok.Replace(sha, sha[..^2], StringComparison.Ordinal),
                ok.Replace("\"inputs\":[{", "\"inputs\":[{\"name\":\"y\",\"dtype\":\"bool\",\"shape\":[1],\"data\":\"AA==\"},{", StringComparison.Ordinal)
                    .Replace("\"name\":\"y\"", "\"name\":\"x\"", StringComparison.Ordinal), // a repeated input name
                ok + "x", // trailing bytes
                ok[..^1],
                ok.Replace("\"inputs\":[{", "\"inputs\":[ {", StringComparison.Ordinal).Replace("}]}", "},]}", StringComparison.Ordinal),
                $"{{\"modelId\":\"m\",\"modelSha256\":\"{sha}\",\"inputs\":[]}}",
                $"{{\"modelId\":\"m\",\"modelSha256\":\"{sha}\"}}",
                "[]",
                "",
                "{}",
                "\uFEFF" + ok, // a byte order mark
                "{\"modelId\":\"m\",\"modelSha256\":\"" + sha + "\",\"inputs\":[" + string.Join(',', Enumerable.Range(0, 65).Select(i => $"{{\"name\":\"t{i}\",\"dtype\":\"uint8\",\"shape\":[1],\"data\":\"AA==\"}}")) + "]}",
            };
            return bodies;
        }
    }

    [Theory]
    [MemberData(nameof(DeclinedBodies))]
    public void Other_forms_go_to_the_full_reader_and_read_as_it_reads_them(string text)
    {
        byte[] body = Encoding.UTF8.GetBytes(text);

        Assert.NotEqual(Encoding.UTF8.GetString(Body(Tensor("x", InferenceDType.Float32, [1, 4], 16))), text); // the case changed something
        Assert.False(RequestScanner.TryRead(body, out _));
        AssertSameOutcome(body);
    }

    [Fact]
    public void Sixty_four_inputs_are_still_the_plain_form()
    {
        NamedTensor[] inputs = [.. Enumerable.Range(0, InferenceWire.MaxTensors).Select(i => Tensor($"t{i}", InferenceDType.UInt8, [1], 1, (byte)i))];
        byte[] body = Body(inputs);

        Assert.True(RequestScanner.TryRead(body, out WireRequest fast));
        Assert.Equal(InferenceWire.MaxTensors, fast.Inputs.Length);
        AssertSameOutcome(body);
    }

    /// <summary>
    /// Damaged bodies: a byte replaced, inserted or removed anywhere, with bytes that matter to JSON. Whatever the scanner
    /// takes, the full reader takes alike; the public reader always answers as the full one.
    /// </summary>
    [Property(MaxTest = 2000)]
    public void A_damaged_body_is_read_as_the_full_reader_reads_it(ushort where, byte pick, byte how)
    {
        byte[] valid = Body(Tensor("x", InferenceDType.Float32, [2, 3], 24), Tensor("mask", InferenceDType.Bool, [2, 1], 2));
        ReadOnlySpan<byte> alphabet = "{}[]\":,\\ 0-9.eE+/=Aax\n\u0001"u8;
        byte b = alphabet[pick % alphabet.Length];
        int at = where % (valid.Length + 1);
        byte[] body = (how % 3) switch
        {
            0 when at < valid.Length => [.. valid[..at], b, .. valid[(at + 1)..]],
            1 => [.. valid[..at], b, .. valid[at..]],
            _ when at < valid.Length => [.. valid[..at], .. valid[(at + 1)..]],
            _ => valid,
        };

        AssertSameOutcome(body);
    }

    private static void AssertSameOutcome(byte[] body)
    {
        bool fullOk = InferenceWire.TryReadRequestFully(body, out WireRequest full, out InferenceError? fullError);
        bool ok = InferenceWire.TryReadRequest(body, out WireRequest request, out InferenceError? error);

        Assert.Equal(fullOk, ok);
        Assert.Equal(fullError, error);
        if (RequestScanner.TryRead(body, out WireRequest fast))
        {
            Assert.True(fullOk, "The scanner took a body the full reader refuses.");
            AssertSame(full, fast);
        }

        if (ok)
        {
            AssertSame(full, request);
        }
    }

    private static void AssertSame(WireRequest expected, WireRequest actual)
    {
        Assert.Equal(expected.ModelId, actual.ModelId);
        Assert.Equal(expected.ModelSha256, actual.ModelSha256);
        Assert.Equal(expected.Inputs.Length, actual.Inputs.Length);
        for (int i = 0; i < expected.Inputs.Length; i++)
        {
            NamedTensor e = expected.Inputs[i];
            NamedTensor a = actual.Inputs[i];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.DType, a.DType);
            Assert.Equal(e.Shape, a.Shape);
            Assert.Equal(e.IsBase64, a.IsBase64);
            Assert.Equal(e.Data.ToArray(), a.Data.ToArray());
        }
    }
}
