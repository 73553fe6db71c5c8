// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Consensus.FixedPoint;

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// How <c>set_weights</c> stores a validator's values: max-upscaled so the largest is 65535 (subtensor
/// <c>vec_u16_max_upscale_to_u16</c> in <c>subnets/weights.rs</c>; <c>specs/consensus.md</c> §4).
/// </summary>
public static class WeightUpscale
{
    /// <summary>
    /// Max-upscales <paramref name="values"/> into <paramref name="destination"/>. With <c>m = max(values)</c>:
    /// all 0 when <c>m == 0</c>; <c>round(v * div(fix(65535), fix(m)))</c> when <c>m &gt; 32768</c>; otherwise
    /// <c>round(div(fix(v * 65535), fix(m)))</c>; each clamped to 65535. <c>[43690, 21845]</c> gives
    /// <c>[65535, 32768]</c>.
    /// </summary>
    /// <param name="values">The submitted values.</param>
    /// <param name="destination">Receives the stored values; at least as long as <paramref name="values"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static void MaxUpscale(ReadOnlySpan<ushort> values, Span<ushort> destination)
    {
        if (destination.Length < values.Length)
        {
            ThrowHelper.ThrowArgument(nameof(destination), "The destination is shorter than the values.");
        }

        ushort max = 0;
        foreach (ushort v in values)
        {
            max = Math.Max(max, v);
        }

        if (max == 0)
        {
            destination[..values.Length].Clear();
            return;
        }

        if (max > 32768)
        {
            // The product of the integer v and the raw ratio is exact; round() then rounds half away from zero.
            I32F32 ratio = I32F32.SafeDiv(I32F32.U16Max, I32F32.FromInt(max));
            for (int t = 0; t < values.Length; t++)
            {
                destination[t] = Clamp(new I32F32(values[t] * ratio.Raw).Round());
            }
        }
        else
        {
            I32F32 divisor = I32F32.FromInt(max);
            for (int t = 0; t < values.Length; t++)
            {
                destination[t] = Clamp(I32F32.SafeDiv(I32F32.FromInt(values[t] * 65535L), divisor).Round());
            }
        }
    }

    /// <summary>Allocating overload of <see cref="MaxUpscale(ReadOnlySpan{ushort}, Span{ushort})"/>.</summary>
    /// <param name="values">The submitted values.</param>
    /// <returns>The stored values.</returns>
    public static ushort[] MaxUpscale(ReadOnlySpan<ushort> values)
    {
        ushort[] result = new ushort[values.Length];
        MaxUpscale(values, result);
        return result;
    }

    private static ushort Clamp(long value) => value >= 65535 ? (ushort)65535 : value <= 0 ? (ushort)0 : (ushort)value;
}
