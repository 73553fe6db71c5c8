// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Boards;

/// <summary>
/// The one place that throws for argument and state errors, so callers stay small enough to inline.
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument(string paramName, string message) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, object? actual, string message) =>
        throw new ArgumentOutOfRangeException(paramName, actual, message);

    [DoesNotReturn]
    public static void ThrowInvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static void ThrowObjectDisposed(string objectName) => throw new ObjectDisposedException(objectName);

    [DoesNotReturn]
    public static void ThrowInvalidProfile(string field, string message) => throw new InvalidBoardProfileException(field, message);
}
