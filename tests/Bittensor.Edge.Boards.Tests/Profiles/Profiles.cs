// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Boards.Tests.Profiles;

/// <summary>The shipped profiles, copied beside the tests from <c>boards/</c>.</summary>
internal static class Profiles
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "boards");

    public static TheoryData<string> Ids
    {
        get
        {
            TheoryData<string> ids = [];
            foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "*.json").Order(StringComparer.Ordinal))
            {
                ids.Add(Path.GetFileNameWithoutExtension(file));
            }

            return ids;
        }
    }

    public static string PathOf(string id) => Path.Combine(Directory, id + ".json");

    public static BoardProfile Load(string id) => BoardProfileLoader.Load(PathOf(id));

    public static IReadOnlyList<BoardProfile> All => BoardProfileLoader.LoadAll(Directory);
}
