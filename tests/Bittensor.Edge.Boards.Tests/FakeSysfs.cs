// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;

namespace Bittensor.Edge.Boards.Tests;

/// <summary>A throwaway file tree standing in for <c>/</c> or <c>/sys</c>, deleted on dispose.</summary>
internal sealed class FakeSysfs : IDisposable
{
    public FakeSysfs() => Root = Directory.CreateTempSubdirectory("bte-boards-").FullName;

    public string Root { get; }

    public string Write(string relativePath, string content)
    {
        string path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    public string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    public void Delete(string relativePath) => File.Delete(Path.Combine(Root, relativePath));

    /// <summary>A device tree as the kernel exposes it: NUL-terminated strings, compatible NUL-separated.</summary>
    public void WriteDeviceTree(string model, params string[] compatible)
    {
        Directory.CreateDirectory(Path.Combine(Root, "proc", "device-tree"));
        File.WriteAllBytes(Path.Combine(Root, "proc", "device-tree", "model"), Encoding.UTF8.GetBytes(model + "\0"));
        File.WriteAllBytes(
            Path.Combine(Root, "proc", "device-tree", "compatible"),
            Encoding.UTF8.GetBytes(string.Concat(compatible.Select(static c => c + "\0"))));
    }

    public void WriteZone(int index, string type, int milliCelsius)
    {
        Write($"class/thermal/thermal_zone{index}/type", type + "\n");
        SetZone(index, milliCelsius);
    }

    public void SetZone(int index, int milliCelsius) =>
        Write($"class/thermal/thermal_zone{index}/temp", milliCelsius.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}
