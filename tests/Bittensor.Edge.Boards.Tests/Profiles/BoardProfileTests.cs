// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using System.Text.Json.Nodes;

namespace Bittensor.Edge.Boards.Tests.Profiles;

public sealed class BoardProfileTests
{
    public static TheoryData<string> Ids => Profiles.Ids;

    [Fact]
    public void The_four_boards_of_the_spec_ship_a_profile()
    {
        Assert.Equal(["jetson-orin-nano", "rpi4", "rpi5", "x64-sim"], Profiles.All.Select(static p => p.Id));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_shipped_profile_loads_validates_and_is_named_by_its_id(string id)
    {
        Assert.True(BoardProfileLoader.TryLoad(Profiles.PathOf(id), out BoardProfile? profile, out BoardProfileError error), error.ToString());
        Assert.Equal(id, profile.Id);
        Assert.True(BoardProfileLoader.TryValidate(profile, out _));
        Assert.NotEmpty(profile.Thermal.Zones);
        Assert.Contains("CPUExecutionProvider", profile.ExecutionProviders);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Every_shipped_profile_has_a_readme_section(string id)
    {
        string readme = File.ReadAllText(Path.Combine(Profiles.Directory, "README.md"));
        Assert.Contains($"## {id}\n", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Rpi4_profile_matches_the_spec_example()
    {
        BoardProfile p = Profiles.Load("rpi4");
        Assert.Equal("brcm,bcm2711", p.Detect.DtCompatible);
        Assert.Equal(new BoardThermalPolicy { Warm = 70, Hot = 80, Critical = 85, Hysteresis = 5 }, p.Thermal.PolicyC);
        Assert.Equal("gpio-onoff", p.Gpio.Fan.Kind);
        Assert.Equal(14, p.Gpio.Fan.Gpio);
        Assert.Equal(65, p.Gpio.Fan.OnC);
        Assert.Equal(55, p.Gpio.Fan.OffC);
        Assert.Equal(["vcgencmd", "get_throttled"], p.Throttle.Command!);
        Assert.Equal(15, p.Watchdog.MaxTimeoutS);
    }

    [Fact]
    public void Jetson_profile_watches_three_zones_with_its_own_thresholds()
    {
        BoardProfile p = Profiles.Load("jetson-orin-nano");
        Assert.Equal(["soc", "gpu", "junction"], p.Thermal.Zones.Select(static z => z.Role));
        Assert.Equal(95, p.Thermal.PolicyC.Critical);
        Assert.Equal("none", p.Throttle.Kind);
        Assert.Equal("kernel-pwm-fan", p.Gpio.Fan.Kind);
        Assert.Null(p.Storage.MaxWritePerDayGiB);
    }

    [Fact]
    public void Invalid_json_is_refused_without_throwing()
    {
        Assert.False(BoardProfileLoader.TryParse("{ \"id\": "u8, out BoardProfile? profile, out BoardProfileError error));
        Assert.Null(profile);
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    [Fact]
    public void A_missing_required_field_is_named()
    {
        BoardProfileError error = ParseMutated(static root => root.AsObject().Remove("watchdog"));
        Assert.Contains("watchdog", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_field_is_named()
    {
        BoardProfileError error = ParseMutated(static root => root["thermal"]!["policyC"]!["hott"] = 90);
        Assert.Contains("hott", error.Message + error.Field, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_type_is_named_by_its_path()
    {
        BoardProfileError error = ParseMutated(static root => root["cpu"]!["cores"] = "four");
        Assert.Equal("cpu.cores", error.Field);
    }

    [Fact]
    public void A_null_in_a_required_string_is_named()
    {
        BoardProfileError error = ParseMutated(static root => root["name"] = null);
        Assert.Equal("name", error.Field);
    }

    [Theory]
    [InlineData("thermal.policyC.hot", 65)]
    [InlineData("thermal.policyC.critical", 79)]
    [InlineData("thermal.policyC.hysteresis", 0)]
    [InlineData("gpio.fan.offC", 70)]
    [InlineData("inference.maxBatch", 0)]
    [InlineData("storage.hashThreads", 0)]
    [InlineData("watchdog.runtimeWatchdogS", 16)]
    [InlineData("throttle.pollS", 0)]
    public void A_value_breaking_a_rule_is_named_by_its_field(string field, int value)
    {
        BoardProfileError error = ParseMutated(root =>
        {
            string[] parts = field.Split('.');
            JsonNode node = root;
            foreach (string part in parts[..^1])
            {
                node = node[part]!;
            }

            node[parts[^1]] = value;
        });
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void An_unknown_zone_role_is_named_with_its_index()
    {
        BoardProfileError error = ParseMutated(static root => root["thermal"]!["zones"]![0]!["role"] = "dram");
        Assert.Equal("thermal.zones[0].role", error.Field);
    }

    [Fact]
    public void A_profile_whose_id_differs_from_its_file_name_is_refused()
    {
        using FakeSysfs dir = new();
        string path = dir.Write("rpi9.json", File.ReadAllText(Profiles.PathOf("rpi4")));
        Assert.False(BoardProfileLoader.TryLoad(path, out _, out BoardProfileError error));
        Assert.Equal("id", error.Field);
    }

    [Fact]
    public void A_missing_profile_file_is_refused_without_throwing()
    {
        Assert.False(BoardProfileLoader.TryLoad(Path.Combine(Profiles.Directory, "no-such-board.json"), out _, out BoardProfileError error));
        Assert.Contains("no-such-board", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_throws_an_exception_naming_the_field()
    {
        using FakeSysfs dir = new();
        JsonNode root = JsonNode.Parse(File.ReadAllText(Profiles.PathOf("rpi4")))!;
        root["thermal"]!["policyC"]!["hot"] = 60;
        string path = dir.Write("rpi4.json", root.ToJsonString());
        InvalidBoardProfileException e = Assert.Throws<InvalidBoardProfileException>(() => BoardProfileLoader.Load(path));
        Assert.Equal("thermal.policyC.hot", e.Field);
        Assert.Contains("thermal.policyC.hot", e.Message, StringComparison.Ordinal);
    }

    private static BoardProfileError ParseMutated(Action<JsonNode> mutate)
    {
        JsonNode root = JsonNode.Parse(File.ReadAllText(Profiles.PathOf("rpi4")))!;
        mutate(root);
        byte[] json = Encoding.UTF8.GetBytes(root.ToJsonString());
        Assert.False(BoardProfileLoader.TryParse(json, out BoardProfile? profile, out BoardProfileError error));
        Assert.Null(profile);
        return error;
    }
}
