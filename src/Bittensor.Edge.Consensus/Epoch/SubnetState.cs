// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Consensus.Epoch;

/// <summary>
/// The per-uid state one subnet's epoch reads (<c>specs/consensus.md</c> §2): stake, registration and update blocks,
/// validator permits, and the stored weights and bonds rows. Every uid <c>0 .. Count − 1</c> is occupied.
/// </summary>
/// <remarks>
/// <para>Build one programmatically by writing the spans and calling <see cref="SetWeights"/> /
/// <see cref="SetBonds"/>; the chain-like mutations (<see cref="SetWeightsUpscaled"/>, <see cref="Register"/>,
/// <see cref="ResetBonds"/>, <see cref="Apply"/>) follow §4, §5, §6 and §3.14.</para>
/// <para>Not thread-safe for writes. <see cref="YumaEpoch.Run"/> only reads, so several epochs may run on one
/// state concurrently as long as nobody mutates it.</para>
/// </remarks>
public sealed class SubnetState
{
    /// <summary>The largest number of uids (uids are u16).</summary>
    public const int MaxCount = 65536;

    private readonly ulong[] _stake;
    private readonly ulong[] _blockAtRegistration;
    private readonly ulong[] _lastUpdate;
    private readonly bool[] _validatorPermit;
    private readonly SparseRow[] _weights;
    private readonly SparseRow[] _bonds;

    /// <summary>Creates a state of <paramref name="count"/> uids, all zero, without permits, weights or bonds.</summary>
    /// <param name="count">Number of uids, 1..65536.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is out of range.</exception>
    public SubnetState(int count)
    {
        if (count < 1 || count > MaxCount)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(count), "A subnet has 1..65536 uids.");
        }

        Count = count;
        _stake = new ulong[count];
        _blockAtRegistration = new ulong[count];
        _lastUpdate = new ulong[count];
        _validatorPermit = new bool[count];
        _weights = new SparseRow[count];
        _bonds = new SparseRow[count];
        Array.Fill(_weights, SparseRow.Empty);
        Array.Fill(_bonds, SparseRow.Empty);
    }

    /// <summary>Number of uids.</summary>
    public int Count { get; }

    /// <summary>Raw stake per uid (u64 rao of alpha).</summary>
    public Span<ulong> Stake => _stake;

    /// <summary>Block at which the uid's current hotkey registered.</summary>
    public Span<ulong> BlockAtRegistration => _blockAtRegistration;

    /// <summary>Block of the uid's last weights.</summary>
    public Span<ulong> LastUpdate => _lastUpdate;

    /// <summary>Validator permits written by the previous epoch (the permits the next epoch uses).</summary>
    public Span<bool> ValidatorPermit => _validatorPermit;

    /// <summary>The stored weights row of <paramref name="uid"/>.</summary>
    /// <param name="uid">The uid.</param>
    /// <returns>The row (never null).</returns>
    public SparseRow GetWeights(int uid) => _weights[uid];

    /// <summary>The stored bonds row of <paramref name="uid"/>.</summary>
    /// <param name="uid">The uid.</param>
    /// <returns>The row (never null).</returns>
    public SparseRow GetBonds(int uid) => _bonds[uid];

    internal ReadOnlySpan<SparseRow> WeightRows => _weights;

    /// <summary>The weights rows themselves, for passes that run rows on several threads (read only).</summary>
    internal SparseRow[] WeightRowArray => _weights;

    /// <summary>The last-update blocks themselves (read only).</summary>
    internal ulong[] LastUpdateArray => _lastUpdate;

    /// <summary>The registration blocks themselves (read only).</summary>
    internal ulong[] BlockAtRegistrationArray => _blockAtRegistration;

    internal ReadOnlySpan<SparseRow> BondRows => _bonds;

    /// <summary>Stores a weights row as given (no max-upscale, <c>last_update</c> untouched).</summary>
    /// <param name="uid">The row's uid.</param>
    /// <param name="row">The row; every column uid must be below <see cref="Count"/>.</param>
    /// <exception cref="ArgumentException">A column uid is out of range.</exception>
    public void SetWeights(int uid, SparseRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        CheckUid(uid);
        CheckColumns(row, nameof(row));
        _weights[uid] = row;
    }

    /// <summary>Stores a bonds row as given (u16 bonds: relative for Yuma2, absolute for Yuma3).</summary>
    /// <param name="uid">The row's uid.</param>
    /// <param name="row">The row; every column uid must be below <see cref="Count"/>.</param>
    /// <exception cref="ArgumentException">A column uid is out of range.</exception>
    public void SetBonds(int uid, SparseRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        CheckUid(uid);
        CheckColumns(row, nameof(row));
        _bonds[uid] = row;
    }

    /// <summary>
    /// What subtensor's <c>set_weights</c> stores once its checks passed (§4): the values max-upscaled
    /// (<see cref="WeightUpscale.MaxUpscale(ReadOnlySpan{ushort}, Span{ushort})"/>), the row sorted by uid, and <c>last_update</c> := <paramref name="block"/>.
    /// </summary>
    /// <param name="uid">The validator.</param>
    /// <param name="row">The submitted row (ascending uids, values as submitted).</param>
    /// <param name="block">The block the weights were set at.</param>
    /// <exception cref="ArgumentException">A uid is out of range.</exception>
    public void SetWeightsUpscaled(int uid, SparseRow row, ulong block)
    {
        ArgumentNullException.ThrowIfNull(row);
        CheckUid(uid);
        CheckColumns(row, nameof(row));
        ushort[] values = new ushort[row.Count];
        WeightUpscale.MaxUpscale(row.Values, values);
        _weights[uid] = SparseRow.FromOwned(row.Uids.ToArray(), values);
        _lastUpdate[uid] = block;
    }

    /// <summary>
    /// A new hotkey takes <paramref name="uid"/> at <paramref name="block"/> (subtensor <c>replace_neuron</c>, §5):
    /// registration and update block := block, stake := <paramref name="stake"/>, permit cleared, its own weights and
    /// bonds rows deleted, and every other weights row keeps its entry on the uid with value 0. Bonds that others
    /// hold on the uid stay (the epoch's bond mask hides them). The caller refuses the owner's uid.
    /// </summary>
    /// <param name="uid">The uid being replaced.</param>
    /// <param name="block">The registration block.</param>
    /// <param name="stake">The new hotkey's stake (usually 0).</param>
    public void Register(int uid, ulong block, ulong stake)
    {
        CheckUid(uid);
        _blockAtRegistration[uid] = block;
        _lastUpdate[uid] = block;
        _stake[uid] = stake;
        _validatorPermit[uid] = false;
        _weights[uid] = SparseRow.Empty;
        _bonds[uid] = SparseRow.Empty;
        for (int i = 0; i < Count; i++)
        {
            SparseRow row = _weights[i];
            int at = row.IndexOf(uid);
            if (at >= 0 && row.Values[at] != 0)
            {
                ushort[] values = row.Values.ToArray();
                values[at] = 0;
                _weights[i] = SparseRow.FromOwned(row.Uids.ToArray(), values);
            }
        }
    }

    /// <summary>
    /// Removes column <paramref name="uid"/> from every bond row (subtensor's bond reset on a miner's new
    /// commitment, §6). The caller checks the <c>bonds_reset</c> hyperparameter: with it off the chain does nothing.
    /// </summary>
    /// <param name="uid">The miner whose bonds are removed.</param>
    public void ResetBonds(int uid)
    {
        CheckUid(uid);
        for (int i = 0; i < Count; i++)
        {
            SparseRow row = _bonds[i];
            int at = row.IndexOf(uid);
            if (at >= 0)
            {
                ushort[] uids = new ushort[row.Count - 1];
                ushort[] values = new ushort[row.Count - 1];
                row.Uids[..at].CopyTo(uids);
                row.Uids[(at + 1)..].CopyTo(uids.AsSpan(at));
                row.Values[..at].CopyTo(values);
                row.Values[(at + 1)..].CopyTo(values.AsSpan(at));
                _bonds[i] = SparseRow.FromOwned(uids, values);
            }
        }
    }

    /// <summary>
    /// Stores what an epoch writes (§3.14): the new validator permits and, for every uid, its new bonds row
    /// (empty for uids without a new permit). Weights, stake and blocks are untouched.
    /// </summary>
    /// <param name="result">The result of <see cref="YumaEpoch.Run"/> on this state.</param>
    /// <exception cref="ArgumentException">The result has another number of uids.</exception>
    public void Apply(EpochResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Count != Count)
        {
            ThrowHelper.ThrowArgument(nameof(result), "The epoch result has another number of uids.");
        }

        result.ValidatorPermit.CopyTo(_validatorPermit);
        result.Bonds.CopyTo(_bonds);
    }

    /// <summary>A deep copy (rows are immutable and shared).</summary>
    /// <returns>The copy.</returns>
    public SubnetState Clone()
    {
        SubnetState copy = new(Count);
        _stake.CopyTo(copy._stake, 0);
        _blockAtRegistration.CopyTo(copy._blockAtRegistration, 0);
        _lastUpdate.CopyTo(copy._lastUpdate, 0);
        _validatorPermit.CopyTo(copy._validatorPermit, 0);
        _weights.CopyTo(copy._weights, 0);
        _bonds.CopyTo(copy._bonds, 0);
        return copy;
    }

    private void CheckUid(int uid)
    {
        if ((uint)uid >= (uint)Count)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(uid), "The uid is not below the number of uids.");
        }
    }

    private void CheckColumns(SparseRow row, string paramName)
    {
        if (row.Count > 0 && row.Uids[^1] >= Count)
        {
            ThrowHelper.ThrowArgument(paramName, "A column uid is not below the number of uids.");
        }
    }
}
