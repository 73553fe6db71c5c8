// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using NSec.Cryptography;

namespace Bittensor.Edge.Core.Crypto;

/// <summary>
/// BLAKE2b-256 over data given in pieces, such as a domain tag followed by a payload, or the
/// <c>0x00 ‖ leaf</c> of a Merkle leaf, without first copying the pieces together.
/// </summary>
/// <remarks>
/// A mutable <see langword="ref"/> struct: keep it in one local, call <see cref="Append"/> any number of
/// times, then <see cref="Finish()"/> once. After finishing, create a new one. Not thread-safe.
/// <code>
/// IncrementalBlake2b256 h = IncrementalBlake2b256.Create();
/// h.Append("bte/tx/v1"u8);
/// h.Append(payload);
/// Hash256 id = h.Finish();
/// </code>
/// </remarks>
public ref struct IncrementalBlake2b256
{
    private IncrementalHash _state;
    private bool _started;

    /// <summary>Starts an empty hash.</summary>
    public static IncrementalBlake2b256 Create()
    {
        IncrementalBlake2b256 hasher = default;
        IncrementalHash.Initialize(HashAlgorithm.Blake2b_256, out hasher._state);
        hasher._started = true;
        return hasher;
    }

    /// <summary>Adds <paramref name="data"/> to the hash.</summary>
    /// <exception cref="InvalidOperationException">The hash was not created with <see cref="Create"/> or is finished.</exception>
    public void Append(scoped ReadOnlySpan<byte> data)
    {
        EnsureStarted();
        IncrementalHash.Update(ref _state, data);
    }

    /// <summary>Finishes and returns the hash.</summary>
    /// <exception cref="InvalidOperationException">The hash was not created with <see cref="Create"/> or is finished.</exception>
    public Hash256 Finish()
    {
        Bytes32 hash = default;
        Finish(hash);
        return new Hash256(hash);
    }

    /// <summary>Finishes and writes the hash to <paramref name="destination"/> (exactly 32 bytes).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not 32 bytes long.</exception>
    /// <exception cref="InvalidOperationException">The hash was not created with <see cref="Create"/> or is finished.</exception>
    public void Finish(scoped Span<byte> destination)
    {
        if (destination.Length != Hash256.Size)
        {
            ThrowHelper.ThrowArgumentLength(nameof(destination), Hash256.Size, destination.Length);
        }

        EnsureStarted();
        _started = false;
        IncrementalHash.Finalize(ref _state, destination);
    }

    private readonly void EnsureStarted()
    {
        if (!_started)
        {
            ThrowHelper.ThrowInvalidOperation($"Start a hash with {nameof(IncrementalBlake2b256)}.{nameof(Create)}(); a finished hash cannot be reused.");
        }
    }
}
