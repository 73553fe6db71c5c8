// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;

namespace Bittensor.Edge.Consensus;

/// <summary>The one place that throws, so that the small methods calling it stay inlinable.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowArgument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void ThrowArgumentOutOfRange(string paramName, string message) =>
        throw new ArgumentOutOfRangeException(paramName, message);

    [DoesNotReturn]
    public static void ThrowDivideByZero() => throw new DivideByZeroException();

    [DoesNotReturn]
    public static T ThrowArgument<T>(string paramName, string message) => throw new ArgumentException(message, paramName);
}
