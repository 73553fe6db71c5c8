// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Tests;

/// <summary>Reads the files under <c>Vectors/</c>: one vector per line, <c>#</c> lines are comments.</summary>
internal static class VectorFile
{
    public static IEnumerable<string[]> Read(string name, char separator = ' ')
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Vectors", name);
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            yield return line.Split(separator);
        }
    }

    public static byte[] Hex(string field) => field == "-" ? [] : Convert.FromHexString(field);
}
