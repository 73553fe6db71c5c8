// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Serialization;

/// <summary>
/// Bytes that do not decode under the canonical encoding of protocol.md §1: truncated data, a bool
/// other than 0 or 1, a bad option tag, a length prefix past the end, invalid UTF-8 or trailing bytes.
/// </summary>
/// <remarks>
/// Decoding untrusted input should go through <see cref="SpanReader.TryDecode{T}(ReadOnlySpan{byte}, SpanDecoder{T}, out T)"/>,
/// which turns this exception into a <c>false</c>.
/// </remarks>
public sealed class EncodingException : Exception
{
    /// <summary>Creates the exception with a message and no position.</summary>
    public EncodingException()
        : this("The data is not in the canonical encoding.", -1)
    {
    }

    /// <summary>Creates the exception with a message and no position.</summary>
    public EncodingException(string message)
        : this(message, -1)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public EncodingException(string message, Exception innerException)
        : base(message, innerException)
    {
        Position = -1;
    }

    /// <summary>Creates the exception for a failure at byte offset <paramref name="position"/>.</summary>
    public EncodingException(string message, int position)
        : base(position >= 0 ? $"{message} (at byte {position})" : message)
    {
        Position = position;
    }

    /// <summary>The byte offset where decoding failed, or -1 when unknown.</summary>
    public int Position { get; }
}
