// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace Bittensor.Edge.Boards;

/// <summary>
/// Reads and validates board profiles (specs/fleet.md §1). A rejected profile names its field.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class BoardProfileLoader
{
    private static readonly string[] s_roles = ["soc", "gpu", "junction"];
    private static readonly string[] s_rids = ["linux-arm64", "linux-x64"];
    private static readonly string[] s_throttleKinds = ["rpi-get-throttled", "none", "simulated"];
    private static readonly string[] s_gpioDrivers = ["libgpiod", "virtual"];
    private static readonly string[] s_fanKinds = ["gpio-onoff", "kernel-pwm-fan", "virtual", "none"];
    private static readonly string[] s_imageKinds = ["sd-image", "rootfs-overlay"];

    /// <summary>Parses and validates a profile from UTF-8 JSON.</summary>
    /// <returns><see langword="false"/> with <paramref name="error"/> set when the JSON is malformed or a rule fails.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out BoardProfile? profile, out BoardProfileError error)
    {
        profile = null;
        BoardProfile? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(utf8Json, BoardProfileJsonContext.Default.BoardProfile);
        }
        catch (JsonException e)
        {
            error = new BoardProfileError(TrimRoot(e.Path), e.Message);
            return false;
        }

        if (parsed is null)
        {
            error = new BoardProfileError("$", "the profile is null");
            return false;
        }

        if (!TryValidate(parsed, out error))
        {
            return false;
        }

        profile = parsed;
        return true;
    }

    /// <summary>Reads <paramref name="path"/>, whose file name must be <c>&lt;id&gt;.json</c>.</summary>
    /// <returns><see langword="false"/> with <paramref name="error"/> set when the file is missing, unreadable or invalid.</returns>
    public static bool TryLoad(string path, [NotNullWhen(true)] out BoardProfile? profile, out BoardProfileError error)
    {
        ArgumentNullException.ThrowIfNull(path);
        profile = null;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = new BoardProfileError("$", $"cannot read '{path}': {e.Message}");
            return false;
        }

        if (!TryParse(bytes, out BoardProfile? parsed, out error))
        {
            return false;
        }

        string expectedId = Path.GetFileNameWithoutExtension(path);
        if (!string.Equals(parsed.Id, expectedId, StringComparison.Ordinal))
        {
            error = new BoardProfileError("id", $"'{parsed.Id}' does not match the file name '{expectedId}.json'");
            return false;
        }

        profile = parsed;
        return true;
    }

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <exception cref="InvalidBoardProfileException">The file is missing, unreadable or invalid; the exception names the field.</exception>
    public static BoardProfile Load(string path)
    {
        if (!TryLoad(path, out BoardProfile? profile, out BoardProfileError error))
        {
            ThrowHelper.ThrowInvalidProfile(error.Field, error.Message);
        }

        return profile;
    }

    /// <summary>Every valid profile in <paramref name="directory"/> (<c>*.json</c>), sorted by id.</summary>
    /// <exception cref="InvalidBoardProfileException">A profile is invalid.</exception>
    public static IReadOnlyList<BoardProfile> LoadAll(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        List<BoardProfile> profiles = [];
        foreach (string file in Directory.EnumerateFiles(directory, "*.json"))
        {
            profiles.Add(Load(file));
        }

        profiles.Sort(static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        return profiles;
    }

    /// <summary>Checks the rules JSON shape alone cannot express.</summary>
    public static bool TryValidate(BoardProfile profile, out BoardProfileError error)
    {
        ArgumentNullException.ThrowIfNull(profile);
        error = Validate(profile) ?? default;
        return error.Field is null;
    }

    private static BoardProfileError? Validate(BoardProfile p)
    {
        if (string.IsNullOrWhiteSpace(p.Id) || !IsIdentifier(p.Id))
        {
            return new("id", "must be lower-case letters, digits and '-'");
        }

        if (string.IsNullOrWhiteSpace(p.Name))
        {
            return new("name", "must not be empty");
        }

        if (Array.IndexOf(s_rids, p.Rid) < 0)
        {
            return new("rid", $"'{p.Rid}' is not one of {string.Join(", ", s_rids)}");
        }

        if ((p.Detect.DtModelPrefix is null) != (p.Detect.DtCompatible is null))
        {
            return new("detect", "dtModelPrefix and dtCompatible are both set or both null");
        }

        if (p.Detect.DtModelPrefix is { Length: 0 } || p.Detect.DtCompatible is { Length: 0 })
        {
            return new("detect", "an empty match string would match every board");
        }

        if (p.Cpu.Cores is <= 0)
        {
            return new("cpu.cores", "must be positive (or null for the host's)");
        }

        if (p.Cpu.MaxMHz is <= 0)
        {
            return new("cpu.maxMHz", "must be positive (or null for the host's)");
        }

        if (p.RamMiB is { } ram && (ram.Count == 0 || ram.Any(static r => r <= 0)))
        {
            return new("ramMiB", "must list positive sizes (or be null for the host's)");
        }

        if (p.ExecutionProviders.Count == 0 || p.ExecutionProviders.Any(string.IsNullOrWhiteSpace))
        {
            return new("executionProviders", "must list at least one provider name");
        }

        if (p.Inference.MaxBatch < 1)
        {
            return new("inference.maxBatch", "must be at least 1");
        }

        if (p.Inference.MaxDelayMs < 0)
        {
            return new("inference.maxDelayMs", "must not be negative");
        }

        if (p.Inference.PreferredBatches is { } preferred && preferred.Any(b => b < 1 || b > p.Inference.MaxBatch))
        {
            return new("inference.preferredBatches", "each must be between 1 and maxBatch");
        }

        if (p.Storage.HashThreads < 1)
        {
            return new("storage.hashThreads", "must be at least 1");
        }

        if (p.Storage.MaxWritePerDayGiB is <= 0)
        {
            return new("storage.maxWritePerDayGiB", "must be positive (or null for unlimited)");
        }

        return ValidateThermal(p.Thermal) ?? ValidateThrottle(p.Throttle) ?? ValidateGpio(p.Gpio) ?? ValidateRest(p);
    }

    private static BoardProfileError? ValidateThermal(BoardThermal t)
    {
        if (t.Zones.Count == 0)
        {
            return new("thermal.zones", "must list at least one zone");
        }

        for (int i = 0; i < t.Zones.Count; i++)
        {
            if (Array.IndexOf(s_roles, t.Zones[i].Role) < 0)
            {
                return new($"thermal.zones[{i}].role", $"'{t.Zones[i].Role}' is not one of {string.Join(", ", s_roles)}");
            }

            if (string.IsNullOrWhiteSpace(t.Zones[i].Type))
            {
                return new($"thermal.zones[{i}].type", "must not be empty");
            }
        }

        BoardThermalPolicy c = t.PolicyC;
        if (!(c.Hysteresis > 0) || c.Hysteresis >= c.Warm)
        {
            return new("thermal.policyC.hysteresis", "must be positive and below warm");
        }

        if (!(c.Warm < c.Hot))
        {
            return new("thermal.policyC.hot", "must be above warm");
        }

        if (!(c.Hot < c.Critical))
        {
            return new("thermal.policyC.critical", "must be above hot");
        }

        if (t.FirmwareC is { } f && !(f.ArmThrottle <= f.FullThrottle))
        {
            return new("thermal.firmwareC.fullThrottle", "must not be below armThrottle");
        }

        return null;
    }

    private static BoardProfileError? ValidateThrottle(BoardThrottle t)
    {
        if (Array.IndexOf(s_throttleKinds, t.Kind) < 0)
        {
            return new("throttle.kind", $"'{t.Kind}' is not one of {string.Join(", ", s_throttleKinds)}");
        }

        if (t.Kind == "rpi-get-throttled" && (t.Command is not { Count: > 0 } || t.Command.Any(string.IsNullOrEmpty)))
        {
            return new("throttle.command", "rpi-get-throttled needs a command line");
        }

        if (t.PollS < 1)
        {
            return new("throttle.pollS", "must be at least 1");
        }

        return null;
    }

    private static BoardProfileError? ValidateGpio(BoardGpio g)
    {
        if (Array.IndexOf(s_gpioDrivers, g.Driver) < 0)
        {
            return new("gpio.driver", $"'{g.Driver}' is not one of {string.Join(", ", s_gpioDrivers)}");
        }

        if (g.StatusLed.Gpio is { } ledLine && (ledLine < 0 || g.ChipLabel is null))
        {
            return new("gpio.statusLed.gpio", "needs a non-negative line and gpio.chipLabel");
        }

        BoardFan fan = g.Fan;
        if (Array.IndexOf(s_fanKinds, fan.Kind) < 0)
        {
            return new("gpio.fan.kind", $"'{fan.Kind}' is not one of {string.Join(", ", s_fanKinds)}");
        }

        switch (fan.Kind)
        {
            case "gpio-onoff":
                if (fan.Gpio is not >= 0 || g.ChipLabel is null)
                {
                    return new("gpio.fan.gpio", "gpio-onoff needs a non-negative line and gpio.chipLabel");
                }

                if (fan.OnC is not { } on || fan.OffC is not { } off)
                {
                    return new("gpio.fan.onC", "gpio-onoff needs onC and offC");
                }

                if (!(off < on))
                {
                    return new("gpio.fan.offC", "must be below onC");
                }

                break;
            case "kernel-pwm-fan":
                if (string.IsNullOrWhiteSpace(fan.Hwmon))
                {
                    return new("gpio.fan.hwmon", "kernel-pwm-fan needs the hwmon name it is observed through");
                }

                break;
            default:
                break;
        }

        return null;
    }

    private static BoardProfileError? ValidateRest(BoardProfile p)
    {
        BoardWatchdog w = p.Watchdog;
        if (w.RuntimeWatchdogS < 1)
        {
            return new("watchdog.runtimeWatchdogS", "must be at least 1");
        }

        if (w.MaxTimeoutS is { } max && w.RuntimeWatchdogS > max)
        {
            return new("watchdog.runtimeWatchdogS", $"must not exceed maxTimeoutS ({max})");
        }

        if (w.ServiceWatchdogS < 1)
        {
            return new("watchdog.serviceWatchdogS", "must be at least 1");
        }

        if (p.Power.Rails is { Count: > 0 } && p.Power.Hwmon is null)
        {
            return new("power.rails", "rails need power.hwmon");
        }

        if (p.Image is { } image)
        {
            if (Array.IndexOf(s_imageKinds, image.Kind) < 0)
            {
                return new("image.kind", $"'{image.Kind}' is not one of {string.Join(", ", s_imageKinds)}");
            }

            if (string.IsNullOrWhiteSpace(image.Recipe))
            {
                return new("image.recipe", "must not be empty");
            }
        }

        return null;
    }

    private static bool IsIdentifier(string id)
    {
        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string TrimRoot(string? path) =>
        path is null or "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
}
