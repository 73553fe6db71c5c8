// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using Bittensor.Edge.Chain;
using Bittensor.Edge.Chain.Primitives;

namespace Bittensor.Edge.Cli.Commands.Chain;

/// <summary>TAO amounts typed by people: up to 9 decimals, parsed exactly into rao (never through a double).</summary>
internal static class TaoAmount
{
    public static bool TryParse(string? text, out Rao amount, out string error)
    {
        amount = Rao.Zero;
        error = "";
        string s = (text ?? "").Trim();
        int dot = s.IndexOf('.', StringComparison.Ordinal);
        string whole = dot < 0 ? s : s[..dot];
        string fraction = dot < 0 ? "" : s[(dot + 1)..];
        if ((whole.Length == 0 && fraction.Length == 0) || !IsDigits(whole) || !IsDigits(fraction))
        {
            error = $"'{text}' is not an amount of TAO; write it like 1.5 or 0.000000001.";
            return false;
        }

        if (fraction.Length > 9)
        {
            error = $"'{text}' has more than 9 decimals; 1 rao = 0.000000001 TAO is the smallest unit.";
            return false;
        }

        if (!ulong.TryParse(whole.Length == 0 ? "0" : whole, NumberStyles.None, CultureInfo.InvariantCulture, out ulong tao)
            || !ulong.TryParse(fraction.PadRight(9, '0'), NumberStyles.None, CultureInfo.InvariantCulture, out ulong rao)
            || tao > (ulong.MaxValue - rao) / ChainConstants.RaoPerTao)
        {
            error = $"'{text}' is too large.";
            return false;
        }

        amount = new Rao((tao * ChainConstants.RaoPerTao) + rao);
        return true;
    }

    /// <summary>Rao as TAO with up to 9 decimals, trailing zeros trimmed: 1.5, 0.000000001, 12.</summary>
    public static string Format(Rao amount)
    {
        ulong whole = amount.Value / ChainConstants.RaoPerTao;
        ulong fraction = amount.Value % ChainConstants.RaoPerTao;
        string text = whole.ToString(CultureInfo.InvariantCulture);
        return fraction == 0 ? text : text + "." + fraction.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
    }

    private static bool IsDigits(string s)
    {
        foreach (char c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }
}
