// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Consensus.Scenarios;

/// <summary>
/// Reads and validates a scenario document (<c>specs/consensus-scenario.md</c>) over <see cref="JsonDocument"/>, with
/// no reflection serialization. Every number is read as an exact integer (<c>TryGetUInt64</c>/<c>TryGetInt64</c>,
/// never through <see cref="double"/>); every rule violation throws a <see cref="ScenarioException"/> naming the file,
/// the JSON path and the epoch.
/// </summary>
internal sealed class ScenarioReader
{
    public const string Format = "bte-consensus-scenario/1";

    private static readonly string[] s_rootKeys = ["format", "name", "description", "n", "params", "initial", "epochs"];
    private static readonly string[] s_initialKeys = ["stake", "block_at_registration", "last_update", "validator_permit", "weights", "bonds"];
    private static readonly string[] s_epochKeys = ["block", "events", "rao_emission"];
    private static readonly string[] s_paramKeys =
    [
        "tempo", "kappa", "bonds_penalty", "bonds_moving_average", "yuma3", "liquid_alpha", "alpha_low", "alpha_high",
        "alpha_sigmoid_steepness", "max_allowed_validators", "activity_cutoff", "stake_threshold", "owner_uid",
        "bonds_reset", "rao_emission",
    ];

    private static readonly string[] s_setWeightsKeys = ["op", "uid", "block", "weights"];
    private static readonly string[] s_setStakeKeys = ["op", "uid", "block", "stake"];
    private static readonly string[] s_registerKeys = ["op", "uid", "block", "stake"];
    private static readonly string[] s_resetBondsKeys = ["op", "uid", "block"];
    private static readonly string[] s_setParamsKeys = ["op", "block", "params"];

    private readonly string _file;
    private int? _epoch;
    private int _n;

    private ScenarioReader(string file) => _file = file;

    public static Scenario Parse(ReadOnlySpan<byte> utf8Json, string file)
    {
        ScenarioReader reader = new(file);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new ScenarioException(file, string.Empty, null, $"not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            return reader.ReadRoot(document.RootElement);
        }
    }

    private Scenario ReadRoot(JsonElement root)
    {
        RequireObject(root, string.Empty, s_rootKeys);
        string format = ReadString(Required(root, "format", string.Empty), "format");
        if (format != Format)
        {
            Fail("format", $"must be \"{Format}\"");
        }

        string? name = root.TryGetProperty("name", out JsonElement nameElement) ? ReadString(nameElement, "name") : null;
        string? description = root.TryGetProperty("description", out JsonElement d) ? ReadString(d, "description") : null;
        ulong n = ReadU64(Required(root, "n", string.Empty), "n");
        if (n < 1 || n > SubnetState.MaxCount)
        {
            Fail("n", "must be 1..65536");
        }

        _n = (int)n;
        ParamPatch patch = root.TryGetProperty("params", out JsonElement p) ? ReadParams(p, "params") : new ParamPatch();
        SubnetHyperparameters parameters = patch.Apply(SubnetHyperparameters.ReplayDefaults);
        ulong rao = patch.RaoEmission ?? Scenario.DefaultRaoEmission;

        SubnetState initial = new(_n);
        if (root.TryGetProperty("initial", out JsonElement init))
        {
            ReadInitial(init, initial);
        }

        JsonElement epochs = Required(root, "epochs", string.Empty);
        if (epochs.ValueKind != JsonValueKind.Array || epochs.GetArrayLength() == 0)
        {
            Fail("epochs", "must be an array with at least one epoch");
        }

        List<ScenarioEpoch> list = new(epochs.GetArrayLength());
        ulong previous = 0;
        int index = 0;
        foreach (JsonElement epoch in epochs.EnumerateArray())
        {
            _epoch = index;
            ScenarioEpoch parsed = ReadEpoch(epoch, $"epochs[{index}]", index, previous);
            previous = parsed.Block;
            list.Add(parsed);
            index++;
        }

        return new Scenario(_file, name, description, _n, parameters, rao, initial, list);
    }

    private void ReadInitial(JsonElement init, SubnetState state)
    {
        RequireObject(init, "initial", s_initialKeys);
        if (init.TryGetProperty("stake", out JsonElement stake))
        {
            ReadU64Array(stake, "initial.stake", state.Stake);
        }

        if (init.TryGetProperty("block_at_registration", out JsonElement registration))
        {
            ReadU64Array(registration, "initial.block_at_registration", state.BlockAtRegistration);
        }

        if (init.TryGetProperty("last_update", out JsonElement update))
        {
            ReadU64Array(update, "initial.last_update", state.LastUpdate);
        }
        else
        {
            state.BlockAtRegistration.CopyTo(state.LastUpdate);
        }

        if (init.TryGetProperty("validator_permit", out JsonElement permits))
        {
            CheckLength(permits, "initial.validator_permit");
            int i = 0;
            foreach (JsonElement permit in permits.EnumerateArray())
            {
                state.ValidatorPermit[i] = ReadBool(permit, $"initial.validator_permit[{i}]");
                i++;
            }
        }

        if (init.TryGetProperty("weights", out JsonElement weights))
        {
            CheckLength(weights, "initial.weights");
            int i = 0;
            foreach (JsonElement row in weights.EnumerateArray())
            {
                state.SetWeights(i, ReadRow(row, $"initial.weights[{i}]"));
                i++;
            }
        }

        if (init.TryGetProperty("bonds", out JsonElement bonds))
        {
            CheckLength(bonds, "initial.bonds");
            int i = 0;
            foreach (JsonElement row in bonds.EnumerateArray())
            {
                state.SetBonds(i, ReadRow(row, $"initial.bonds[{i}]"));
                i++;
            }
        }
    }

    private ScenarioEpoch ReadEpoch(JsonElement epoch, string path, int index, ulong previous)
    {
        RequireObject(epoch, path, s_epochKeys);
        ulong block = ReadU64(Required(epoch, "block", path), path + ".block");
        if (block < previous)
        {
            Fail(path + ".block", $"epoch blocks must not decrease ({block} after {previous})");
        }

        ulong? rao = epoch.TryGetProperty("rao_emission", out JsonElement r) ? ReadU64(r, path + ".rao_emission") : null;
        List<ScenarioEvent> events = [];
        if (epoch.TryGetProperty("events", out JsonElement list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                Fail(path + ".events", "must be an array");
            }

            int k = 0;
            foreach (JsonElement e in list.EnumerateArray())
            {
                events.Add(ReadEvent(e, $"{path}.events[{k}]", block));
                k++;
            }
        }

        return new ScenarioEpoch(index, block, rao, events);
    }

    private ScenarioEvent ReadEvent(JsonElement e, string path, ulong epochBlock)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            Fail(path, "an event must be an object");
        }

        string op = ReadString(Required(e, "op", path), path + ".op");
        string[] keys = op switch
        {
            "set_weights" => s_setWeightsKeys,
            "set_stake" => s_setStakeKeys,
            "register" => s_registerKeys,
            "reset_bonds" => s_resetBondsKeys,
            "set_params" => s_setParamsKeys,
            _ => Fail<string[]>(path + ".op", $"unknown op \"{op}\""),
        };
        RequireObject(e, path, keys);
        ulong block = epochBlock;
        if (e.TryGetProperty("block", out JsonElement b))
        {
            block = ReadU64(b, path + ".block");
            if (block > epochBlock)
            {
                Fail(path + ".block", $"event block {block} is after the epoch block {epochBlock}");
            }
        }

        int uid = op == "set_params" ? -1 : ReadUid(Required(e, "uid", path), path + ".uid");
        return op switch
        {
            "set_weights" => new ScenarioEvent(ScenarioEventKind.SetWeights, path, block, uid)
            {
                Row = ReadRow(Required(e, "weights", path), path + ".weights"),
            },
            "set_stake" => new ScenarioEvent(ScenarioEventKind.SetStake, path, block, uid)
            {
                Stake = ReadU64(Required(e, "stake", path), path + ".stake"),
            },
            "register" => new ScenarioEvent(ScenarioEventKind.Register, path, block, uid)
            {
                Stake = e.TryGetProperty("stake", out JsonElement s) ? ReadU64(s, path + ".stake") : 0,
            },
            "reset_bonds" => new ScenarioEvent(ScenarioEventKind.ResetBonds, path, block, uid),
            _ => new ScenarioEvent(ScenarioEventKind.SetParams, path, block, uid)
            {
                Params = ReadParams(Required(e, "params", path), path + ".params"),
            },
        };
    }

    private ParamPatch ReadParams(JsonElement p, string path)
    {
        RequireObject(p, path, s_paramKeys);
        ParamPatch patch = new();
        foreach (JsonProperty property in p.EnumerateObject())
        {
            string at = $"{path}.{property.Name}";
            JsonElement v = property.Value;
            switch (property.Name)
            {
                case "tempo": patch.Tempo = ReadU16(v, at); break;
                case "kappa": patch.Kappa = ReadU16(v, at); break;
                case "bonds_penalty": patch.BondsPenalty = ReadU16(v, at); break;
                case "bonds_moving_average":
                    patch.BondsMovingAverage = ReadU64(v, at);
                    if (patch.BondsMovingAverage > 1_000_000)
                    {
                        Fail(at, "must be at most 1000000");
                    }

                    break;
                case "yuma3": patch.Yuma3 = ReadBool(v, at); break;
                case "liquid_alpha": patch.LiquidAlpha = ReadBool(v, at); break;
                case "alpha_low": patch.AlphaLow = ReadU16(v, at); break;
                case "alpha_high": patch.AlphaHigh = ReadU16(v, at); break;
                case "alpha_sigmoid_steepness":
                    if (!v.TryGetInt64(out long steepness) || steepness < short.MinValue || steepness > short.MaxValue)
                    {
                        Fail(at, "must be an integer in the i16 range");
                    }

                    patch.AlphaSigmoidSteepness = (short)steepness;
                    break;
                case "max_allowed_validators": patch.MaxAllowedValidators = ReadU16(v, at); break;
                case "activity_cutoff": patch.ActivityCutoff = ReadU64(v, at); break;
                case "stake_threshold": patch.StakeThreshold = ReadU64(v, at); break;
                case "owner_uid":
                    patch.HasOwnerUid = true;
                    patch.OwnerUid = v.ValueKind == JsonValueKind.Null ? null : ReadUid(v, at);
                    break;
                case "bonds_reset": patch.BondsReset = ReadBool(v, at); break;
                default: patch.RaoEmission = ReadU64(v, at); break;
            }
        }

        return patch;
    }

    private SparseRow ReadRow(JsonElement row, string path)
    {
        if (row.ValueKind != JsonValueKind.Array)
        {
            Fail(path, "a row must be an array of [uid, value] pairs");
        }

        int length = row.GetArrayLength();
        ushort[] uids = new ushort[length];
        ushort[] values = new ushort[length];
        int t = 0;
        foreach (JsonElement pair in row.EnumerateArray())
        {
            string at = $"{path}[{t}]";
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
            {
                Fail(at, "must be a [uid, value] pair");
            }

            uids[t] = (ushort)ReadUid(pair[0], at + "[0]");
            values[t] = ReadU16(pair[1], at + "[1]");
            if (t > 0 && uids[t] <= uids[t - 1])
            {
                Fail(at + "[0]", $"row uids must be strictly ascending ({uids[t]} after {uids[t - 1]})");
            }

            t++;
        }

        return SparseRow.FromOwned(uids, values);
    }

    private void ReadU64Array(JsonElement array, string path, Span<ulong> destination)
    {
        CheckLength(array, path);
        int i = 0;
        foreach (JsonElement v in array.EnumerateArray())
        {
            destination[i] = ReadU64(v, $"{path}[{i}]");
            i++;
        }
    }

    private void CheckLength(JsonElement array, string path)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            Fail(path, "must be an array");
        }

        if (array.GetArrayLength() != _n)
        {
            Fail(path, $"must have exactly n = {_n} entries, not {array.GetArrayLength()}");
        }
    }

    private int ReadUid(JsonElement v, string path)
    {
        ulong uid = ReadU64(v, path);
        if (uid >= (ulong)_n)
        {
            Fail(path, $"uid {uid} is out of range (n = {_n})");
        }

        return (int)uid;
    }

    private ushort ReadU16(JsonElement v, string path)
    {
        ulong value = ReadU64(v, path);
        if (value > ushort.MaxValue)
        {
            Fail(path, $"{value} is outside the u16 range");
        }

        return (ushort)value;
    }

    private ulong ReadU64(JsonElement v, string path)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out ulong value))
        {
            return value;
        }

        return Fail<ulong>(path, v.ValueKind == JsonValueKind.Number
            ? $"{v.GetRawText()} is not an integer in the u64 range"
            : "must be an integer");
    }

    private bool ReadBool(JsonElement v, string path)
    {
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Fail(path, "must be true or false");
        }

        return v.GetBoolean();
    }

    private string ReadString(JsonElement v, string path)
    {
        if (v.ValueKind != JsonValueKind.String)
        {
            Fail(path, "must be a string");
        }

        return v.GetString()!;
    }

    private JsonElement Required(JsonElement obj, string key, string path)
    {
        if (!obj.TryGetProperty(key, out JsonElement value))
        {
            Fail(path.Length == 0 ? key : $"{path}.{key}", "is required");
        }

        return value;
    }

    private void RequireObject(JsonElement obj, string path, string[] allowed)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            Fail(path, "must be an object");
        }

        foreach (JsonProperty property in obj.EnumerateObject())
        {
            if (Array.IndexOf(allowed, property.Name) < 0)
            {
                Fail(path.Length == 0 ? property.Name : $"{path}.{property.Name}", "unknown key");
            }
        }
    }

    [DoesNotReturn]
    private void Fail(string path, string reason) => throw new ScenarioException(_file, path, _epoch, reason);

    [DoesNotReturn]
    private T Fail<T>(string path, string reason) => throw new ScenarioException(_file, path, _epoch, reason);
}
