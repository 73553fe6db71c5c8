// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using Bittensor.Edge.Consensus.Scenarios;

namespace Bittensor.Edge.Consensus.Tests.Scenarios;

/// <summary>Each rule of <c>specs/consensus-scenario.md</c> gives an error naming the file, the field and the epoch.</summary>
public class MalformedScenarioTests
{
    private const string File = "bad.json";

    // The worked example with an owner uid; each case replaces one marked piece.
    private const string Template = """
        {
          "format": "bte-consensus-scenario/1",
          "name": "template",
          "n": 4,
          "params": {"tempo": 9, "max_allowed_validators": 2, "activity_cutoff": 100, "owner_uid": 0 PARAMS},
          "initial": {"stake": STAKE, "block_at_registration": [0, 0, 0, 0] INITIAL},
          "epochs": [
            {"block": 7, "events": [] EPOCH0},
            {"block": 17, "events": [
                {"op": "set_weights", "uid": 0, "block": 12, "weights": [[2, 30000], [3, 10000]]},
                EVENT1
                {"op": "set_weights", "uid": 1, "block": 15, "weights": [[2, 20000], [3, 20000]]} ] },
            {"block": BLOCK2, "events": [ {"op": "register", "uid": 3, "block": 20, "stake": 0} ] }
          ]
        }
        """;

    private static string Build(
        string parameters = "",
        string stake = "[600, 400, 0, 0]",
        string initial = "",
        string epoch0 = "",
        string event1 = "",
        string block2 = "27") =>
        Template.Replace("PARAMS", parameters, StringComparison.Ordinal)
            .Replace("STAKE", stake, StringComparison.Ordinal)
            .Replace("INITIAL", initial, StringComparison.Ordinal)
            .Replace("EPOCH0", epoch0, StringComparison.Ordinal)
            .Replace("EVENT1", event1, StringComparison.Ordinal)
            .Replace("BLOCK2", block2, StringComparison.Ordinal);

    private static ScenarioException Fails(string json)
    {
        ScenarioException e = Assert.Throws<ScenarioException>(() => Scenario.Parse(Encoding.UTF8.GetBytes(json), File).Replay());
        Assert.Equal(File, e.File);
        Assert.StartsWith(File + ": ", e.Message, StringComparison.Ordinal);
        return e;
    }

    private static void AssertError(ScenarioException e, string path, int? epoch, string reasonFragment)
    {
        Assert.Equal(path, e.Path);
        Assert.Equal(epoch, e.EpochIndex);
        Assert.Contains(reasonFragment, e.Reason, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        if (epoch is int index)
        {
            Assert.EndsWith($"(epoch {index})", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_template_itself_is_valid()
    {
        ScenarioReplayResult result = Scenario.Parse(Encoding.UTF8.GetBytes(Build()), File).Replay();
        Assert.Equal(3, result.Epochs.Count);
    }

    [Fact]
    public void Unknown_key_in_params_is_an_error() =>
        AssertError(Fails(Build(parameters: ", \"kapa\": 1")), "params.kapa", null, "unknown key");

    [Fact]
    public void Unknown_key_in_set_params_names_the_event_and_epoch() =>
        AssertError(
            Fails(Build(event1: "{\"op\": \"set_params\", \"params\": {\"tempo\": 3, \"speed\": 1}},")),
            "epochs[1].events[1].params.speed",
            1,
            "unknown key");

    [Fact]
    public void Wrong_array_length_is_an_error() =>
        AssertError(Fails(Build(stake: "[600, 400, 0]")), "initial.stake", null, "exactly n = 4");

    [Fact]
    public void Wrong_row_count_is_an_error() =>
        AssertError(Fails(Build(initial: ", \"bonds\": [[], [], []]")), "initial.bonds", null, "exactly n = 4");

    [Fact]
    public void Uid_out_of_range_in_an_event_is_an_error() =>
        AssertError(Fails(Build(event1: "{\"op\": \"set_stake\", \"uid\": 4, \"stake\": 1},")), "epochs[1].events[1].uid", 1, "out of range");

    [Fact]
    public void Uid_out_of_range_in_a_row_is_an_error() =>
        AssertError(
            Fails(Build(event1: "{\"op\": \"set_weights\", \"uid\": 2, \"weights\": [[1, 5], [4, 5]]},")),
            "epochs[1].events[1].weights[1][0]",
            1,
            "out of range");

    [Fact]
    public void Non_ascending_row_is_an_error() =>
        AssertError(
            Fails(Build(event1: "{\"op\": \"set_weights\", \"uid\": 2, \"weights\": [[1, 5], [1, 6]]},")),
            "epochs[1].events[1].weights[1][0]",
            1,
            "strictly ascending");

    [Fact]
    public void Non_ascending_initial_row_is_an_error() =>
        AssertError(Fails(Build(initial: ", \"weights\": [[], [[3, 1], [2, 1]], [], []]")), "initial.weights[1][1][0]", null, "strictly ascending");

    [Fact]
    public void Malformed_pair_is_an_error() =>
        AssertError(
            Fails(Build(event1: "{\"op\": \"set_weights\", \"uid\": 2, \"weights\": [[1, 5, 7]]},")),
            "epochs[1].events[1].weights[0]",
            1,
            "[uid, value] pair");

    [Theory]
    [InlineData("[[1, 65536]]", "epochs[1].events[1].weights[0][1]", "u16")]
    [InlineData("[[1, -1]]", "epochs[1].events[1].weights[0][1]", "u64 range")]
    [InlineData("[[1, 1.5]]", "epochs[1].events[1].weights[0][1]", "u64 range")]
    [InlineData("[[1, \"7\"]]", "epochs[1].events[1].weights[0][1]", "must be an integer")]
    public void Weight_outside_u16_is_an_error(string row, string path, string reason) =>
        AssertError(Fails(Build(event1: $"{{\"op\": \"set_weights\", \"uid\": 2, \"weights\": {row}}},")), path, 1, reason);

    [Theory]
    [InlineData(", \"kappa\": 65536", "params.kappa", "u16")]
    [InlineData(", \"alpha_sigmoid_steepness\": 32768", "params.alpha_sigmoid_steepness", "i16")]
    [InlineData(", \"bonds_moving_average\": 1000001", "params.bonds_moving_average", "at most 1000000")]
    [InlineData(", \"rao_emission\": 18446744073709551616", "params.rao_emission", "u64 range")]
    [InlineData(", \"yuma3\": 1", "params.yuma3", "true or false")]
    [InlineData(", \"kappa\": null", "params.kappa", "must be an integer")]
    public void Parameter_outside_its_type_is_an_error(string parameter, string path, string reason) =>
        AssertError(Fails(Build(parameters: parameter)), path, null, reason);

    [Fact]
    public void Owner_uid_out_of_range_is_an_error()
    {
        string json = Build().Replace("\"owner_uid\": 0", "\"owner_uid\": 9", StringComparison.Ordinal);
        AssertError(Fails(json), "params.owner_uid", null, "out of range");
    }

    [Fact]
    public void Stake_above_u64_is_an_error() =>
        AssertError(Fails(Build(stake: "[18446744073709551616, 0, 0, 0]")), "initial.stake[0]", null, "u64 range");

    [Fact]
    public void Largest_u64_stake_is_read_exactly_and_then_fails_the_total_stake_rule() =>
        AssertError(Fails(Build(stake: "[18446744073709551615, 0, 0, 0]")), "epochs[0]", 0, "2^63");

    [Fact]
    public void Total_stake_reaching_2_to_the_63_at_an_epoch_is_an_error() =>
        AssertError(
            Fails(Build(event1: "{\"op\": \"set_stake\", \"uid\": 2, \"stake\": 9223372036854775000},")),
            "epochs[1]",
            1,
            "2^63");

    [Fact]
    public void Decreasing_epoch_blocks_are_an_error() =>
        AssertError(Fails(Build(block2: "16")), "epochs[2].block", 2, "must not decrease");

    [Fact]
    public void Equal_epoch_blocks_are_allowed()
    {
        string json = Build(block2: "20");
        Assert.Equal(3, Scenario.Parse(Encoding.UTF8.GetBytes(json), File).Replay().Epochs.Count);
    }

    [Fact]
    public void Event_block_after_the_epoch_block_is_an_error() =>
        AssertError(
            Fails(Build(event1: "{\"op\": \"set_stake\", \"uid\": 2, \"block\": 18, \"stake\": 1},")),
            "epochs[1].events[1].block",
            1,
            "after the epoch block");

    [Fact]
    public void Register_on_the_owner_uid_is_an_error() =>
        AssertError(Fails(Build(event1: "{\"op\": \"register\", \"uid\": 0},")), "epochs[1].events[1].uid", 1, "owner uid");

    [Fact]
    public void Register_on_an_owner_set_later_by_set_params_is_an_error() =>
        AssertError(
            Fails(Build(event1: "{\"op\": \"set_params\", \"params\": {\"owner_uid\": 3}},")),
            "epochs[2].events[0].uid",
            2,
            "owner uid");

    [Fact]
    public void Unknown_op_is_an_error() =>
        AssertError(Fails(Build(event1: "{\"op\": \"burn\", \"uid\": 1},")), "epochs[1].events[1].op", 1, "unknown op");

    [Fact]
    public void Unknown_event_field_is_an_error() =>
        AssertError(Fails(Build(event1: "{\"op\": \"set_stake\", \"uid\": 1, \"stake\": 1, \"hotkey\": 1},")), "epochs[1].events[1].hotkey", 1, "unknown key");

    [Fact]
    public void Field_of_another_op_is_an_error() =>
        AssertError(Fails(Build(event1: "{\"op\": \"reset_bonds\", \"uid\": 1, \"stake\": 1},")), "epochs[1].events[1].stake", 1, "unknown key");

    [Fact]
    public void Missing_required_event_field_is_an_error() =>
        AssertError(Fails(Build(event1: "{\"op\": \"set_stake\", \"uid\": 1},")), "epochs[1].events[1].stake", 1, "is required");

    [Fact]
    public void Unknown_epoch_key_is_an_error() =>
        AssertError(Fails(Build(epoch0: ", \"emission\": 5")), "epochs[0].emission", 0, "unknown key");

    [Fact]
    public void Unknown_initial_key_is_an_error() =>
        AssertError(Fails(Build(initial: ", \"stakes\": []")), "initial.stakes", null, "unknown key");

    [Theory]
    [InlineData("\"format\": \"bte-consensus-scenario/1\"", "\"format\": \"bte-consensus-scenario/2\"", "format", "must be")]
    [InlineData("\"n\": 4", "\"n\": 0", "n", "1..65536")]
    [InlineData("\"n\": 4", "\"n\": 65537", "n", "1..65536")]
    [InlineData("\"name\": \"template\",", "\"name\": \"template\", \"extra\": 1,", "extra", "unknown key")]
    public void Document_level_rule_is_an_error(string find, string replace, string path, string reason) =>
        AssertError(Fails(Build().Replace(find, replace, StringComparison.Ordinal)), path, null, reason);

    [Fact]
    public void Missing_or_empty_epochs_are_an_error()
    {
        string json = """{"format": "bte-consensus-scenario/1", "n": 1, "epochs": []}""";
        AssertError(Fails(json), "epochs", null, "at least one epoch");
        json = """{"format": "bte-consensus-scenario/1", "n": 1}""";
        AssertError(Fails(json), "epochs", null, "is required");
    }

    [Fact]
    public void Invalid_json_and_duplicate_keys_are_errors()
    {
        Assert.Contains("not valid JSON", Fails("{\"format\": ").Reason, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", Fails(Build().Replace("\"n\": 4", "\"n\": 4, \"n\": 4", StringComparison.Ordinal)).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreadable_file_is_an_error_naming_the_file()
    {
        string missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".json");
        ScenarioException e = Assert.Throws<ScenarioException>(() => Scenario.Load(missing));
        Assert.StartsWith(missing + ": cannot read the file", e.Message, StringComparison.Ordinal);
    }
}
