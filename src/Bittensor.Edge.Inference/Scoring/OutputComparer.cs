// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Runtime.InteropServices;
using Bittensor.Edge.Inference.Registry;

namespace Bittensor.Edge.Inference.Scoring;

/// <summary>How a miner's outputs compare to the validator's reference (inference.md §5).</summary>
public enum OutputMatch
{
    /// <summary>Every output matches.</summary>
    Match,

    /// <summary>Output count or names differ.</summary>
    NamesDiffer,

    /// <summary>A dtype differs.</summary>
    DTypeDiffers,

    /// <summary>A shape or byte length differs.</summary>
    ShapeDiffers,

    /// <summary>A float element is outside the tolerance (or NaN/±Inf where the reference is finite).</summary>
    OutsideTolerance,

    /// <summary>An integer or bool element differs.</summary>
    ExactMismatch,
}

/// <summary>
/// The pure scoring functions of inference.md §5: output comparison under the manifest tolerance, the per-request score
/// <c>q</c>, and the quality EMA. Thread-safe (stateless).
/// </summary>
public static class OutputComparer
{
    /// <summary>
    /// Compares <paramref name="miner"/> to <paramref name="reference"/>: names (in order), dtypes and shapes exactly;
    /// floats element by element with <c>|m − r| ≤ abs + rel·|r|</c> (NaN or ±Inf in <c>m</c> where <c>r</c> is finite is a
    /// mismatch; both NaN passes; equal infinities pass); integers and bools exactly.
    /// </summary>
    public static OutputMatch Compare(IReadOnlyList<NamedTensor> miner, IReadOnlyList<NamedTensor> reference, Tolerance tolerance)
    {
        ArgumentNullException.ThrowIfNull(miner);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(tolerance);
        if (miner.Count != reference.Count)
        {
            return OutputMatch.NamesDiffer;
        }

        for (int t = 0; t < reference.Count; t++)
        {
            NamedTensor m = miner[t];
            NamedTensor r = reference[t];
            if (!string.Equals(m.Name, r.Name, StringComparison.Ordinal))
            {
                return OutputMatch.NamesDiffer;
            }

            if (m.DType != r.DType)
            {
                return OutputMatch.DTypeDiffers;
            }

            if (!m.Shape.SequenceEqual(r.Shape) || m.Data.Length != r.Data.Length)
            {
                return OutputMatch.ShapeDiffers;
            }

            if (!InferenceDTypes.IsFloat(r.DType))
            {
                if (!m.Data.Span.SequenceEqual(r.Data.Span))
                {
                    return OutputMatch.ExactMismatch;
                }

                continue;
            }

            ReadOnlySpan<byte> md = m.Data.Span;
            ReadOnlySpan<byte> rd = r.Data.Span;
            if (r.DType == InferenceDType.Float32 && BitConverter.IsLittleEndian)
            {
                if (!AllWithin(MemoryMarshal.Cast<byte, float>(md), MemoryMarshal.Cast<byte, float>(rd), tolerance))
                {
                    return OutputMatch.OutsideTolerance;
                }

                continue;
            }

            int count = rd.Length / InferenceDTypes.ElementSize(r.DType);
            for (int i = 0; i < count; i++)
            {
                if (!Within(InputGenerator.ElementAt(r.DType, md, i), InputGenerator.ElementAt(r.DType, rd, i), tolerance))
                {
                    return OutputMatch.OutsideTolerance;
                }
            }
        }

        return OutputMatch.Match;
    }

    /// <summary>
    /// <see cref="Within"/> over packed float32 elements: the common case (a finite reference and an answer within the
    /// bound) in one comparison per element, everything else (NaN, ±Inf, outside) through <see cref="Within"/> itself.
    /// A validator compares every recomputed row, so this runs over ~0.5 M elements a second on a busy one.
    /// </summary>
    private static bool AllWithin(ReadOnlySpan<float> miner, ReadOnlySpan<float> reference, Tolerance tolerance)
    {
        double abs = tolerance.Abs;
        double rel = tolerance.Rel;
        for (int i = 0; i < reference.Length; i++)
        {
            double r = reference[i];
            double m = miner[i];
            // NaN in either fails the first test; an infinite reference fails the second (|m − ∞| ≤ ∞ would pass).
            if (Math.Abs(m - r) <= abs + (rel * Math.Abs(r)) && float.IsFinite(reference[i]))
            {
                continue;
            }

            if (!Within(m, r, tolerance))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One element under the tolerance rule of §5.</summary>
    public static bool Within(double m, double r, Tolerance tolerance)
    {
        ArgumentNullException.ThrowIfNull(tolerance);
        if (double.IsNaN(r))
        {
            return double.IsNaN(m);
        }

        if (double.IsInfinity(r))
        {
            return m == r;
        }

        if (!double.IsFinite(m))
        {
            return false;
        }

        return Math.Abs(m - r) <= tolerance.Abs + (tolerance.Rel * Math.Abs(r));
    }

    /// <summary>The tolerance validators use: the manifest's <c>fp16</c> when not null (the validator cannot see which device answered), else <c>tolerance</c>.</summary>
    public static Tolerance ToleranceFor(ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.Fp16 ?? entry.Tolerance;
    }

    /// <summary>
    /// The per-request score <c>q</c>: 0 for a mismatch, an error or a timeout; otherwise
    /// <c>max(0.1, min(1, latencyTargetMs / tMs))</c> with <paramref name="latency"/> measured at the validator.
    /// </summary>
    public static double Score(bool correct, TimeSpan latency, double latencyTargetMs)
    {
        if (!correct)
        {
            return 0;
        }

        double ms = latency.TotalMilliseconds;
        if (ms <= 0)
        {
            return 1;
        }

        return Math.Max(0.1, Math.Min(1.0, latencyTargetMs / ms));
    }

    /// <summary>
    /// One round of the quality EMA: <c>s ← 0.95·s + 0.05·mean(q)</c>, except that any wrong output resets it to 0
    /// (as for a forged storage proof).
    /// </summary>
    public static double UpdateQuality(double previous, ReadOnlySpan<double> scores, bool anyMismatch)
    {
        if (anyMismatch)
        {
            return 0;
        }

        if (scores.IsEmpty)
        {
            return 0.95 * previous;
        }

        double sum = 0;
        foreach (double q in scores)
        {
            sum += q;
        }

        return (0.95 * previous) + (0.05 * (sum / scores.Length));
    }
}
