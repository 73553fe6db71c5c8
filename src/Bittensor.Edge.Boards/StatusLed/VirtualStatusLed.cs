// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards.StatusLed;

/// <summary>A simulated LED (x64-sim): remembers whether it is lit and how often it changed.</summary>
/// <remarks>Not thread-safe. Owns nothing.</remarks>
public sealed class VirtualStatusLed : IStatusLed
{
    /// <summary>Whether it is lit.</summary>
    public bool IsLit { get; private set; }

    /// <summary>Changes between lit and dark.</summary>
    public int Transitions { get; private set; }

    /// <inheritdoc/>
    public bool TryStart()
    {
        IsLit = false;
        return true;
    }

    /// <inheritdoc/>
    public bool TrySet(bool lit)
    {
        if (lit != IsLit)
        {
            Transitions++;
        }

        IsLit = lit;
        return true;
    }

    /// <inheritdoc/>
    public void Dispose() => IsLit = false;
}
