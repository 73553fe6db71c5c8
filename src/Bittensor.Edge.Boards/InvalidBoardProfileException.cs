// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards;

/// <summary>A board profile that cannot be used; <see cref="Field"/> names the offending JSON field.</summary>
public sealed class InvalidBoardProfileException : Exception
{
    /// <summary>A profile error about <paramref name="field"/>.</summary>
    public InvalidBoardProfileException(string field, string message)
        : base($"Board profile field '{field}': {message}")
    {
        Field = field;
    }

    /// <summary>An error with no field.</summary>
    public InvalidBoardProfileException()
        : this("$", "invalid profile")
    {
    }

    /// <summary>An error with no field.</summary>
    public InvalidBoardProfileException(string message)
        : this("$", message)
    {
    }

    /// <summary>An error with no field, caused by <paramref name="innerException"/>.</summary>
    public InvalidBoardProfileException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "$";
    }

    /// <summary>The JSON path of the offending field (<c>thermal.policyC.hot</c>), or <c>$</c> for the whole file.</summary>
    public string Field { get; } = "$";
}

/// <summary>Why a profile was rejected: the JSON path of the field and a sentence.</summary>
/// <param name="Field">The offending field's path (<c>thermal.policyC.hot</c>), or <c>$</c> for the whole file.</param>
/// <param name="Message">What is wrong with it.</param>
public readonly record struct BoardProfileError(string Field, string Message)
{
    /// <inheritdoc/>
    public override string ToString() => $"Board profile field '{Field}': {Message}";
}
