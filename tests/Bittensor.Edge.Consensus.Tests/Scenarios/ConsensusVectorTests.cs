// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Text.Json;
using Bittensor.Edge.Consensus.Epoch;
using Bittensor.Edge.Consensus.Scenarios;

namespace Bittensor.Edge.Consensus.Tests.Scenarios;

/// <summary>Every shipped scenario against its full expected output, and subtensor's asserted numbers (checks/).</summary>
public class ConsensusVectorTests
{
    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void Scenario_reproduces_every_value_of_its_expected_output(string name)
    {
        ScenarioReplayResult result = Scenario.Load(VectorFiles.Scenario(name)).Replay();

        using JsonDocument expected = JsonDocument.Parse(File.ReadAllBytes(VectorFiles.Expected(name)));
        using JsonDocument actual = JsonDocument.Parse(result.ToUtf8Json());
        Assert.Null(JsonDiff.FirstDifference(expected.RootElement, actual.RootElement));
    }

    [Theory]
    [MemberData(nameof(CheckNames))]
    public void Scenario_meets_every_number_subtensor_asserts(string name)
    {
        ScenarioReplayResult result = Scenario.Load(VectorFiles.Scenario(name)).Replay();
        using JsonDocument checks = JsonDocument.Parse(File.ReadAllBytes(VectorFiles.Checks(name)));
        List<string> failures = [];
        int count = 0;
        foreach (JsonElement check in checks.RootElement.GetProperty("checks").EnumerateArray())
        {
            count++;
            EpochResult epoch = result.Epochs[check.GetProperty("epoch").GetInt32()];
            string field = check.GetProperty("field").GetString()!;
            int uid = check.GetProperty("uid").GetInt32();
            ulong actual = field switch
            {
                "stake_weight" => epoch.StakeWeight[uid],
                "consensus" => epoch.Consensus[uid],
                "incentive" => epoch.Incentive[uid],
                "dividends" => epoch.Dividends[uid],
                "validator_trust" => epoch.ValidatorTrust[uid],
                "emission" => epoch.Emission[uid],
                "server_emission" => epoch.ServerEmission[uid],
                "validator_emission" => epoch.ValidatorEmission[uid],
                "active" => epoch.Active[uid] ? 1UL : 0UL,
                "validator_permit" => epoch.ValidatorPermit[uid] ? 1UL : 0UL,
                "bonds" => epoch.Bonds[uid].GetValueOrDefault(check.GetProperty("col").GetInt32()),
                _ => throw new InvalidOperationException($"unknown field {field}"),
            };

            JsonElement expect = check.GetProperty("expect");
            bool fraction = check.TryGetProperty("unit", out JsonElement unit) && unit.GetString() == "fraction";
            if (fraction)
            {
                // Tolerances are given as decimals; compare in decimal so no binary rounding enters the test.
                decimal tolerance = check.GetProperty("tolerance").GetDecimal();
                decimal value = actual / 65535m;
                if (Math.Abs(value - expect.GetDecimal()) > tolerance)
                {
                    failures.Add($"{check.GetRawText()}: got {value.ToString(CultureInfo.InvariantCulture)}");
                }
            }
            else if (actual != expect.GetUInt64())
            {
                failures.Add($"{check.GetRawText()}: got {actual}");
            }
        }

        Assert.True(count > 0);
        Assert.Empty(failures);
    }

    [Fact]
    public void Copied_vectors_cover_every_scenario_with_an_expected_output()
    {
        string[] scenarios = Directory.GetFiles(Path.Combine(VectorFiles.Root, "scenarios"), "*.json");
        Assert.Equal(13, scenarios.Length);
        Assert.All(scenarios, file => Assert.True(File.Exists(VectorFiles.Expected(Path.GetFileNameWithoutExtension(file)))));
    }

    [Fact]
    public void Comparison_names_the_first_changed_value()
    {
        string text = File.ReadAllText(VectorFiles.Expected("worked_example"));
        string changed = text.Replace("341540655", "341540656", StringComparison.Ordinal);
        using JsonDocument expected = JsonDocument.Parse(text);
        using JsonDocument actual = JsonDocument.Parse(changed);
        Assert.Null(JsonDiff.FirstDifference(expected.RootElement, expected.RootElement));
        Assert.StartsWith("$.epochs[2].emission[0]:", JsonDiff.FirstDifference(expected.RootElement, actual.RootElement), StringComparison.Ordinal);
    }

    public static TheoryData<string> ScenarioNames() => VectorFiles.ScenarioNames();

    public static TheoryData<string> CheckNames() => VectorFiles.CheckNames();
}
