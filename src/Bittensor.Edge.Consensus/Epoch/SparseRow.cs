// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// One stored weights or bonds row: <c>(uid, u16)</c> pairs with strictly ascending uids, as subtensor stores
/// <c>Weights</c> and <c>Bonds</c> (<c>specs/consensus.md</c> §2). Explicit zero values are entries too.
/// </summary>
/// <remarks>Immutable and thread-safe; every mutation of a <see cref="SubnetState"/> swaps in a new row.</remarks>
public sealed class SparseRow : IEquatable<SparseRow>
{
    private readonly ushort[] _uids;
    private readonly ushort[] _values;

    private SparseRow(ushort[] uids, ushort[] values)
    {
        _uids = uids;
        _values = values;
    }

    /// <summary>The row without entries.</summary>
    public static SparseRow Empty { get; } = new([], []);

    /// <summary>Number of entries.</summary>
    public int Count => _uids.Length;

    /// <summary>The column uids, strictly ascending.</summary>
    public ReadOnlySpan<ushort> Uids => _uids;

    /// <summary>The values, one per uid.</summary>
    public ReadOnlySpan<ushort> Values => _values;

    /// <summary>Creates a row, copying the spans.</summary>
    /// <param name="uids">Column uids, strictly ascending.</param>
    /// <param name="values">One value per uid.</param>
    /// <returns>The row.</returns>
    /// <exception cref="ArgumentException">The lengths differ or the uids are not strictly ascending.</exception>
    public static SparseRow Create(ReadOnlySpan<ushort> uids, ReadOnlySpan<ushort> values)
    {
        if (uids.Length != values.Length)
        {
            ThrowHelper.ThrowArgument(nameof(values), "A row needs exactly one value per uid.");
        }

        for (int t = 1; t < uids.Length; t++)
        {
            if (uids[t] <= uids[t - 1])
            {
                ThrowHelper.ThrowArgument(nameof(uids), "Row uids must be strictly ascending.");
            }
        }

        return uids.Length == 0 ? Empty : new(uids.ToArray(), values.ToArray());
    }

    /// <summary>Creates a row from <c>(uid, value)</c> pairs, for example <c>SparseRow.Create((2, 65535), (3, 21845))</c>.</summary>
    /// <param name="entries">Pairs with strictly ascending uids; uids and values in 0..65535.</param>
    /// <returns>The row.</returns>
    /// <exception cref="ArgumentException">A uid or value is out of range, or the uids are not strictly ascending.</exception>
    public static SparseRow Create(params ReadOnlySpan<(int Uid, int Value)> entries)
    {
        ushort[] uids = new ushort[entries.Length];
        ushort[] values = new ushort[entries.Length];
        for (int t = 0; t < entries.Length; t++)
        {
            if ((uint)entries[t].Uid > ushort.MaxValue || (uint)entries[t].Value > ushort.MaxValue)
            {
                ThrowHelper.ThrowArgument(nameof(entries), "Uids and values are u16.");
            }

            uids[t] = (ushort)entries[t].Uid;
            values[t] = (ushort)entries[t].Value;
        }

        return Create(uids, values);
    }

    /// <summary>Wraps arrays the caller hands over (already validated and never modified afterwards).</summary>
    internal static SparseRow FromOwned(ushort[] uids, ushort[] values) => uids.Length == 0 ? Empty : new(uids, values);

    /// <summary>The value stored for <paramref name="uid"/>, or 0 when the row has no entry for it.</summary>
    /// <param name="uid">Column uid.</param>
    /// <returns>The value or 0.</returns>
    public ushort GetValueOrDefault(int uid)
    {
        int at = IndexOf(uid);
        return at >= 0 ? _values[at] : (ushort)0;
    }

    /// <summary>Position of <paramref name="uid"/> among the entries, or a negative number when absent.</summary>
    /// <param name="uid">Column uid.</param>
    /// <returns>The entry index or a negative number.</returns>
    public int IndexOf(int uid) => (uint)uid > ushort.MaxValue ? -1 : Array.BinarySearch(_uids, (ushort)uid);

    /// <inheritdoc/>
    public bool Equals(SparseRow? other) =>
        other is not null && _uids.AsSpan().SequenceEqual(other._uids) && _values.AsSpan().SequenceEqual(other._values);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SparseRow);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        HashCode hash = default;
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_uids.AsSpan()));
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_values.AsSpan()));
        return hash.ToHashCode();
    }

    /// <summary>The row as <c>[[uid, value], ...]</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString()
    {
        System.Text.StringBuilder text = new("[");
        for (int t = 0; t < _uids.Length; t++)
        {
            text.Append(t == 0 ? "[" : ", [").Append(_uids[t]).Append(", ").Append(_values[t]).Append(']');
        }

        return text.Append(']').ToString();
    }
}
