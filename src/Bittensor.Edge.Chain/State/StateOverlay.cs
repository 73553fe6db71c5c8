// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Chain.State;

/// <summary>
/// Pending changes over a parent view: a block's write set over the store, or one transaction's changes over
/// the block. Reads see this overlay's changes first. <see cref="CommitTo"/> folds the changes into the parent
/// overlay; dropping the overlay discards them, which is how a failed call changes nothing.
/// </summary>
/// <remarks>Not thread-safe.</remarks>
public sealed class StateOverlay : IStateReader
{
    private readonly IStateReader _parent;
    private readonly Dictionary<byte[], byte[]?> _changes = new(ByteArrayComparer.Instance);

    /// <summary>An empty overlay over <paramref name="parent"/>.</summary>
    public StateOverlay(IStateReader parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        _parent = parent;
    }

    /// <summary>The changes: a <see langword="null"/> value is a deletion.</summary>
    public IReadOnlyDictionary<byte[], byte[]?> Changes => _changes;

    /// <inheritdoc/>
    public bool TryGet(byte[] key, [NotNullWhen(true)] out byte[]? value)
    {
        if (_changes.TryGetValue(key, out byte[]? changed))
        {
            value = changed;
            return changed is not null;
        }

        return _parent.TryGet(key, out value);
    }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>; the arrays must not change afterwards.</summary>
    public void Set(byte[] key, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        _changes[key] = value;
    }

    /// <summary>Deletes <paramref name="key"/>.</summary>
    public void Delete(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _changes[key] = null;
    }

    /// <summary>Folds every change into <paramref name="parent"/>, which must be this overlay's parent, and clears this one.</summary>
    public void CommitTo(StateOverlay parent)
    {
        ArgumentNullException.ThrowIfNull(parent);
        if (!ReferenceEquals(parent, _parent))
        {
            ThrowHelper.ThrowArgument(nameof(parent), "An overlay commits only into its own parent.");
        }

        foreach (KeyValuePair<byte[], byte[]?> change in _changes)
        {
            parent._changes[change.Key] = change.Value;
        }

        _changes.Clear();
    }

    /// <summary>Discards every change.</summary>
    public void Clear() => _changes.Clear();
}
