// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Buffers.Binary;
using System.Text;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Inference.Onnx;
using Bittensor.Edge.Inference.Registry;
using Bittensor.Edge.Inference.Sessions;

namespace Bittensor.Edge.Inference.Scoring;

/// <summary>
/// Synthetic inputs of inference.md §5 (validator requests and self-tests): a SplitMix64 stream per request, each input
/// filled in model order, element by element: <c>uniform</c> gives <c>min + ((next() &gt;&gt; 40)·2⁻²⁴)·(max − min)</c>
/// (rounded to the nearest float16 for float16), <c>intRange</c> gives <c>min + next() mod (max − min + 1)</c>, and
/// <c>bool</c> gives <c>next() &gt;&gt; 63</c>. Thread-safe (stateless).
/// </summary>
public static class InputGenerator
{
    /// <summary>
    /// <c>u64 LE(first 8 bytes of SHA-256("bte/infer/v1" ‖ blockHash ‖ validatorNonce ‖ minerHotkey ‖ u32 LE requestIndex))</c>.
    /// </summary>
    public static ulong RequestSeed(in Hash256 blockHash, in Hash256 validatorNonce, in PublicKey minerHotkey, uint requestIndex)
    {
        byte[] context = Encoding.ASCII.GetBytes("bte/infer/v1");
        byte[] message = new byte[context.Length + 32 + 32 + 32 + 4];
        context.CopyTo(message, 0);
        blockHash.CopyTo(message.AsSpan(context.Length));
        validatorNonce.CopyTo(message.AsSpan(context.Length + 32));
        minerHotkey.CopyTo(message.AsSpan(context.Length + 64));
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(context.Length + 96), requestIndex);
        return BinaryPrimitives.ReadUInt64LittleEndian(Sha256.Hash(message).Bytes);
    }

    /// <summary>Inputs of <paramref name="rows"/> rows for <paramref name="entry"/>'s model from <paramref name="seed"/>.</summary>
    public static NamedTensor[] Generate(ModelEntry entry, int rows, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ModelSignature signature = entry.ToSignature();
        SplitMix64 rng = new(seed);
        NamedTensor[] inputs = new NamedTensor[signature.Inputs.Count];
        for (int i = 0; i < inputs.Length; i++)
        {
            TensorSpec spec = signature.Inputs[i];
            InputDomain domain = entry.InputDomain.TryGetValue(spec.Name, out InputDomain? d) ? d : InputDomain.DefaultFor(spec.DType);
            int n = spec.HasBatchDim ? rows : 1;
            byte[] data = new byte[checked((int)(spec.RowBytes * n))];
            Fill(spec.DType, domain, data, ref rng);
            inputs[i] = new NamedTensor(spec.Name, spec.DType, spec.ShapeFor(n), data);
        }

        return inputs;
    }

    /// <summary>Fills <paramref name="destination"/> (packed little-endian elements of <paramref name="dtype"/>) from the stream.</summary>
    public static void Fill(InferenceDType dtype, InputDomain domain, Span<byte> destination, ref SplitMix64 rng)
    {
        ArgumentNullException.ThrowIfNull(domain);
        int size = InferenceDTypes.ElementSize(dtype);
        int count = destination.Length / size;
        double min = domain.Min ?? 0;
        double max = domain.Max ?? 1;
        for (int i = 0; i < count; i++)
        {
            Span<byte> slot = destination.Slice(i * size, size);
            switch (dtype)
            {
                case InferenceDType.Float32:
                case InferenceDType.Float16:
                    {
                        double u = (rng.Next() >> 40) * (1.0 / 16777216.0);
                        double value = min + (u * (max - min));
                        if (dtype == InferenceDType.Float32)
                        {
                            BinaryPrimitives.WriteSingleLittleEndian(slot, (float)value);
                        }
                        else
                        {
                            BinaryPrimitives.WriteHalfLittleEndian(slot, (Half)value);
                        }

                        break;
                    }

                case InferenceDType.Bool:
                    slot[0] = (byte)(rng.Next() >> 63);
                    break;
                default:
                    {
                        long lo = (long)min;
                        ulong span = (ulong)((long)max - lo) + 1;
                        long value = lo + (long)(rng.Next() % span);
                        switch (dtype)
                        {
                            case InferenceDType.Int32: BinaryPrimitives.WriteInt32LittleEndian(slot, (int)value); break;
                            case InferenceDType.Int64: BinaryPrimitives.WriteInt64LittleEndian(slot, value); break;
                            default: slot[0] = (byte)value; break;
                        }

                        break;
                    }
            }
        }
    }

    /// <summary>Element <paramref name="index"/> of a packed tensor as a double (bools 0/1).</summary>
    public static double ElementAt(InferenceDType dtype, ReadOnlySpan<byte> data, int index) => dtype switch
    {
        InferenceDType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(data[(index * 4)..]),
        InferenceDType.Float16 => (double)BinaryPrimitives.ReadHalfLittleEndian(data[(index * 2)..]),
        InferenceDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data[(index * 4)..]),
        InferenceDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(data[(index * 8)..]),
        _ => data[index],
    };
}
