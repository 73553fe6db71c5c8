// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Consensus.Tests;

/// <summary>Locates the copied vectors in the test output directory.</summary>
internal static class VectorFiles
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Vectors", "consensus");

    public static string Scenario(string name) => Path.Combine(Root, "scenarios", name + ".json");

    public static string Expected(string name) => Path.Combine(Root, "expected", name + ".json");

    public static string Checks(string name) => Path.Combine(Root, "checks", name + ".json");

    /// <summary>Every scenario name (file name without extension).</summary>
    public static TheoryData<string> ScenarioNames()
    {
        TheoryData<string> data = [];
        foreach (string file in Directory.GetFiles(Path.Combine(Root, "scenarios"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    public static TheoryData<string> CheckNames()
    {
        TheoryData<string> data = [];
        foreach (string file in Directory.GetFiles(Path.Combine(Root, "checks"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }
}
