// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Boards.Sysfs;

namespace Bittensor.Edge.Boards.StatusLed;

/// <summary>
/// A kernel LED under <c>class/leds/&lt;name&gt;</c> of a sysfs root (the Pi's <c>ACT</c>, <c>led0</c> on older
/// kernels). <see cref="TryStart"/> takes it from its kernel trigger (<c>none</c>); writes go to <c>brightness</c>.
/// </summary>
/// <remarks>
/// The image's udev rule grants group <c>bte</c> write access (specs/fleet.md §2). <see cref="Dispose"/> darkens
/// the LED and leaves the trigger at <c>none</c>. Not thread-safe.
/// </remarks>
public sealed class SysfsStatusLed : IStatusLed
{
    private readonly string _sysfsRoot;
    private readonly IReadOnlyList<string> _names;
    private string? _brightness;

    /// <summary>An LED with the first of <paramref name="names"/> that exists under <paramref name="sysfsRoot"/>.</summary>
    public SysfsStatusLed(string sysfsRoot, IReadOnlyList<string> names)
    {
        ArgumentException.ThrowIfNullOrEmpty(sysfsRoot);
        ArgumentNullException.ThrowIfNull(names);
        _sysfsRoot = sysfsRoot;
        _names = names;
    }

    /// <summary>The LED name in use, once started.</summary>
    public string? Name { get; private set; }

    /// <inheritdoc/>
    public bool TryStart()
    {
        foreach (string name in _names)
        {
            string dir = Path.Combine(_sysfsRoot, "class", "leds", name);
            if (Directory.Exists(dir)
                && SysfsFiles.TryWriteText(Path.Combine(dir, "trigger"), "none")
                && SysfsFiles.TryWriteText(Path.Combine(dir, "brightness"), "0"))
            {
                _brightness = Path.Combine(dir, "brightness");
                Name = name;
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public bool TrySet(bool lit) => _brightness is not null && SysfsFiles.TryWriteText(_brightness, lit ? "1" : "0");

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_brightness is not null)
        {
            SysfsFiles.TryWriteText(_brightness, "0");
            _brightness = null;
        }
    }
}
