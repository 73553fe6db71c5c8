// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;

namespace Bittensor.Edge.Boards.Thermal;

/// <summary>The Raspberry Pi firmware's <c>get_throttled</c> word (specs/fleet.md §1, Throttled bits).</summary>
[Flags]
#pragma warning disable CA1711 // "Flags" is the firmware's own name for this word's bits.
public enum ThrottledFlags
#pragma warning restore CA1711
{
    /// <summary>Nothing reported.</summary>
    None = 0,

    /// <summary>Bit 0: under-voltage now.</summary>
    UnderVoltage = 1 << 0,

    /// <summary>Bit 1: ARM frequency capped now.</summary>
    ArmFrequencyCapped = 1 << 1,

    /// <summary>Bit 2: throttled now.</summary>
    Throttled = 1 << 2,

    /// <summary>Bit 3: soft temperature limit now.</summary>
    SoftTemperatureLimit = 1 << 3,

    /// <summary>Bit 16: under-voltage since boot.</summary>
    UnderVoltageOccurred = 1 << 16,

    /// <summary>Bit 17: ARM frequency capped since boot.</summary>
    ArmFrequencyCappedOccurred = 1 << 17,

    /// <summary>Bit 18: throttled since boot.</summary>
    ThrottledOccurred = 1 << 18,

    /// <summary>Bit 19: soft temperature limit since boot.</summary>
    SoftTemperatureLimitOccurred = 1 << 19,
}

/// <summary>Parses the output of <c>vcgencmd get_throttled</c>.</summary>
public static class ThrottledWord
{
    /// <summary>
    /// Parses <c>throttled=0x50005</c>, <c>0x50005</c> or bare hex <c>50005</c> (surrounding whitespace allowed).
    /// Bits the firmware defines beyond the eight named ones are kept.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out ThrottledFlags flags)
    {
        flags = ThrottledFlags.None;
        ReadOnlySpan<char> s = text.Trim();
        if (s.StartsWith("throttled=", StringComparison.Ordinal))
        {
            s = s["throttled=".Length..];
        }

        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            s = s[2..];
        }

        if (s.IsEmpty || !uint.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint word))
        {
            return false;
        }

        flags = (ThrottledFlags)word;
        return true;
    }
}
