// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Inference.Scoring;
using Bittensor.Edge.Inference.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Bittensor.Edge.Inference.Registry;

/// <summary>Options of <see cref="ModelInspector.CreateEntry"/> (the flags of <c>bte inference models add</c>).</summary>
public sealed record EntryOptions
{
    /// <summary>Every board profile.</summary>
    public static IReadOnlyList<string> AllBoards { get; } = ["rpi4", "rpi5", "jetson-orin-nano", "x64-sim"];

    /// <summary>Float tolerance; abs 1e-4, rel 1e-3 unless given.</summary>
    public Tolerance Tolerance { get; init; } = Tolerance.Default;

    /// <summary>Boards; every board unless given.</summary>
    public IReadOnlyList<string> Boards { get; init; } = AllBoards;

    /// <summary>Max rows per request for a batchable model.</summary>
    public int MaxBatch { get; init; } = 32;

    /// <summary>Latency target in ms.</summary>
    public double LatencyTargetMs { get; init; } = 50;

    /// <summary>Self-test seed.</summary>
    public long SelfTestSeed { get; init; } = 7;

    /// <summary>Self-test rows (1 for a batch-1 model).</summary>
    public int SelfTestBatch { get; init; } = 2;

    /// <summary>The generator record, for bundled models.</summary>
    public GeneratorEntry? Generator { get; init; }
}

/// <summary>
/// Reads a model's signature through ONNX Runtime's metadata and its IR version and opset from the protobuf, and
/// builds an unsigned registry entry with the self-test of inference.md §1. Thread-safe (stateless); loads the native
/// library.
/// </summary>
public static class ModelInspector
{
    /// <summary>Number of output values recorded in <see cref="SelfTestEntry.ExpectedPrefix"/>.</summary>
    public const int PrefixLength = 16;

    /// <summary>
    /// Builds an unsigned entry for <paramref name="model"/>: names, dtypes, shapes, IR version and opset; input domains
    /// from dtypes; a seeded CPU self-test.
    /// </summary>
    /// <exception cref="FormatException">The model has an unservable input or output (a non-tensor, an unsupported dtype, or a symbolic dimension other than dimension 0).</exception>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot load the model.</exception>
    public static ModelEntry CreateEntry(string id, byte[] model, EntryOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        (long irVersion, long opset) = ReadVersions(model);
        List<TensorEntry> inputs;
        List<TensorEntry> outputs;
        using (InferenceSession probe = new(model))
        {
            inputs = [.. probe.InputMetadata.Select(kv => Describe(kv.Key, kv.Value))];
            outputs = [.. probe.OutputMetadata.Select(kv => Describe(kv.Key, kv.Value))];
        }

        bool batchable = inputs.Concat(outputs).All(t => t.Shape[0] == TensorEntry.BatchDim);
        Dictionary<string, InputDomain> domains = new(StringComparer.Ordinal);
        foreach (TensorEntry input in inputs)
        {
            domains[input.Name] = InputDomain.DefaultFor(InferenceDTypes.Parse(input.DType));
        }

        ModelEntry draft = new()
        {
            Id = id,
            Sha256 = Sha256.Hash(model).ToString("x", null),
            Bytes = model.Length,
            IrVersion = irVersion,
            Opset = opset,
            Inputs = inputs,
            Outputs = outputs,
            MaxBatch = batchable ? options.MaxBatch : 1,
            LatencyTargetMs = options.LatencyTargetMs,
            InputDomain = domains,
            Tolerance = options.Tolerance,
            Fp16 = null,
            SelfTest = new SelfTestEntry(options.SelfTestSeed, batchable ? options.SelfTestBatch : 1, "", []),
            Boards = options.Boards,
            Generator = options.Generator,
        };
        _ = draft.ToSignature();
        using ModelSession session = ModelSession.Create(id, model, draft.ToSignature(), new SessionSettings(), new FixedExecutionProviderCatalog([]), logger);
        (string sha, double[] prefix) = RunSelfTest(session, draft);
        return draft with { SelfTest = draft.SelfTest with { OutputSha256 = sha, ExpectedPrefix = prefix } };
    }

    /// <summary>Runs the self-test input of <paramref name="entry"/> on <paramref name="session"/>: SHA-256 of the packed outputs and their first 16 values.</summary>
    public static (string OutputSha256, double[] Prefix) RunSelfTest(ModelSession session, ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(entry);
        int rows = Math.Max(1, Math.Min(entry.SelfTest.Batch, session.Signature.MaxRows));
        NamedTensor[] inputs = InputGenerator.Generate(entry, rows, (ulong)entry.SelfTest.Seed);
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i].Data.Span.CopyTo(session.InputBuffer(i, rows));
        }

        session.Run(rows);
        using IncrementalSha256 hash = new();
        List<double> prefix = [];
        for (int o = 0; o < session.Signature.Outputs.Count; o++)
        {
            ReadOnlySpan<byte> data = session.OutputBuffer(o, rows);
            hash.Append(data);
            InferenceDType dtype = session.Signature.Outputs[o].DType;
            int count = data.Length / InferenceDTypes.ElementSize(dtype);
            for (int i = 0; i < count && prefix.Count < PrefixLength; i++)
            {
                prefix.Add(InputGenerator.ElementAt(dtype, data, i));
            }
        }

        return (hash.Finish(), [.. prefix]);
    }

    /// <summary>Whether a self-test prefix matches the entry's under <paramref name="tolerance"/> (ints and bools exactly, as §5).</summary>
    public static bool PrefixMatches(IReadOnlyList<double> actual, IReadOnlyList<double> expected, Tolerance tolerance)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(expected);
        if (actual.Count != expected.Count)
        {
            return false;
        }

        for (int i = 0; i < expected.Count; i++)
        {
            if (!OutputComparer.Within(actual[i], expected[i], tolerance))
            {
                return false;
            }
        }

        return true;
    }

    private static TensorEntry Describe(string name, NodeMetadata metadata)
    {
        InferenceDType dtype = default;
        if (!metadata.IsTensor || !ModelSession.TryGetDType(metadata.ElementDataType, out dtype))
        {
            ThrowHelper.ThrowFormat($"'{name}' is not a tensor of a served dtype (float32, float16, int64, int32, uint8, bool).");
        }

        List<string> shape = [];
        for (int i = 0; i < metadata.Dimensions.Length; i++)
        {
            int dim = metadata.Dimensions[i];
            if (dim >= 0)
            {
                shape.Add(dim.ToString(CultureInfo.InvariantCulture));
            }
            else if (i == 0)
            {
                shape.Add(TensorEntry.BatchDim);
            }
            else
            {
                string symbol = metadata.SymbolicDimensions.Length > i ? metadata.SymbolicDimensions[i] : "?";
                ThrowHelper.ThrowFormat($"'{name}' has a symbolic dimension {i} ('{symbol}'); only dimension 0 (the batch) may be symbolic.");
            }
        }

        if (shape.Count == 0)
        {
            ThrowHelper.ThrowFormat($"'{name}' is a scalar; served tensors have the batch dimension first.");
        }

        return new TensorEntry(name, InferenceDTypes.Name(dtype), shape);
    }

    /// <summary>ModelProto.ir_version (field 1) and the default-domain opset (field 8, OperatorSetIdProto.version), read without parsing the graph.</summary>
    /// <exception cref="FormatException">The bytes are not a protobuf message.</exception>
    public static (long IrVersion, long Opset) ReadVersions(ReadOnlySpan<byte> model)
    {
        long ir = 0, opset = 0;
        int pos = 0;
        while (pos < model.Length)
        {
            ulong tag = ReadVarint(model, ref pos);
            int field = (int)(tag >> 3);
            int wire = (int)(tag & 7);
            switch (wire)
            {
                case 0:
                    {
                        ulong value = ReadVarint(model, ref pos);
                        if (field == 1)
                        {
                            ir = (long)value;
                        }

                        break;
                    }

                case 1:
                    pos += 8;
                    break;
                case 5:
                    pos += 4;
                    break;
                case 2:
                    {
                        int length = checked((int)ReadVarint(model, ref pos));
                        if (length < 0 || pos + length > model.Length)
                        {
                            ThrowHelper.ThrowFormat("Truncated ONNX model.");
                        }

                        if (field == 8)
                        {
                            (string domain, long version) = ReadOpset(model.Slice(pos, length));
                            if (domain.Length == 0 || domain == "ai.onnx")
                            {
                                opset = version;
                            }
                        }

                        pos += length;
                        break;
                    }

                default:
                    ThrowHelper.ThrowFormat($"Unsupported protobuf wire type {wire} in an ONNX model.");
                    break;
            }
        }

        return (ir, opset);
    }

    private static (string Domain, long Version) ReadOpset(ReadOnlySpan<byte> message)
    {
        string domain = "";
        long version = 0;
        int pos = 0;
        while (pos < message.Length)
        {
            ulong tag = ReadVarint(message, ref pos);
            if ((tag & 7) == 2)
            {
                int length = checked((int)ReadVarint(message, ref pos));
                if ((tag >> 3) == 1)
                {
                    domain = System.Text.Encoding.UTF8.GetString(message.Slice(pos, length));
                }

                pos += length;
            }
            else
            {
                ulong value = ReadVarint(message, ref pos);
                if ((tag >> 3) == 2)
                {
                    version = (long)value;
                }
            }
        }

        return (domain, version);
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length)
            {
                ThrowHelper.ThrowFormat("Truncated protobuf varint.");
            }

            byte b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        ThrowHelper.ThrowFormat("Protobuf varint too long.");
        return 0;
    }

    private sealed class IncrementalSha256 : IDisposable
    {
        private readonly System.Security.Cryptography.IncrementalHash _hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);

        public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

        public string Finish() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public void Dispose() => _hash.Dispose();
    }
}
