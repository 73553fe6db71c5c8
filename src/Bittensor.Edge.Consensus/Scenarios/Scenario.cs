// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Consensus.Epoch;

namespace Bittensor.Edge.Consensus.Scenarios;

/// <summary>
/// A parsed and validated consensus scenario (<c>specs/consensus-scenario.md</c>): the initial state, parameters and
/// epochs with their events. <see cref="Replay"/> runs it as a chain would, carrying state between epochs.
/// </summary>
/// <remarks>Immutable; <see cref="Replay"/> works on a copy of the initial state, so it may run concurrently.</remarks>
public sealed class Scenario
{
    /// <summary>E of every epoch unless the scenario says otherwise (1 TAO in rao).</summary>
    public const ulong DefaultRaoEmission = 1_000_000_000;

    private readonly SubnetState _initial;

    internal Scenario(
        string file,
        string? name,
        string? description,
        int count,
        SubnetHyperparameters parameters,
        ulong raoEmission,
        SubnetState initial,
        IReadOnlyList<ScenarioEpoch> epochs)
    {
        File = file;
        Name = name ?? Path.GetFileNameWithoutExtension(file);
        Description = description;
        Count = count;
        Parameters = parameters;
        RaoEmission = raoEmission;
        _initial = initial;
        Epochs = epochs;
    }

    /// <summary>The file the scenario came from, as named by the caller (used in error messages).</summary>
    public string File { get; }

    /// <summary>The scenario's <c>name</c>, or the file name without extension when it has none.</summary>
    public string Name { get; }

    /// <summary>The free-text <c>description</c>, if any.</summary>
    public string? Description { get; }

    /// <summary><c>n</c>, the number of uids.</summary>
    public int Count { get; }

    /// <summary>The parameters before the first epoch (replay defaults plus <c>params</c>).</summary>
    public SubnetHyperparameters Parameters { get; }

    /// <summary>The default E of every epoch (<c>params.rao_emission</c>).</summary>
    public ulong RaoEmission { get; }

    /// <summary>Number of epochs.</summary>
    public int EpochCount => Epochs.Count;

    internal IReadOnlyList<ScenarioEpoch> Epochs { get; }

    /// <summary>A fresh copy of the state before the first epoch.</summary>
    /// <returns>The state.</returns>
    public SubnetState CreateInitialState() => _initial.Clone();

    /// <summary>Parses and validates a scenario document.</summary>
    /// <param name="utf8Json">The document.</param>
    /// <param name="file">The file name used in error messages.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ScenarioException">The document breaks a rule of the format.</exception>
    public static Scenario Parse(ReadOnlySpan<byte> utf8Json, string file) => ScenarioReader.Parse(utf8Json, file);

    /// <summary>Reads and parses a scenario file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="ScenarioException">The file cannot be read or breaks a rule of the format.</exception>
    public static Scenario Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ScenarioException(path, string.Empty, null, $"cannot read the file: {e.Message}", e);
        }

        return Parse(bytes, path);
    }

    /// <summary>
    /// Runs every epoch in order: applies its events, checks the total stake, runs <see cref="YumaEpoch.Run"/> and
    /// stores the new bonds and permits before the next epoch.
    /// </summary>
    /// <returns>One result per epoch.</returns>
    /// <exception cref="ScenarioException">An event registers the owner's uid, or total stake reaches 2^63 at an epoch.</exception>
    public ScenarioReplayResult Replay()
    {
        SubnetState state = _initial.Clone();
        SubnetHyperparameters parameters = Parameters;
        ulong raoEmission = RaoEmission;
        EpochResult[] results = new EpochResult[Epochs.Count];
        foreach (ScenarioEpoch epoch in Epochs)
        {
            foreach (ScenarioEvent e in epoch.Events)
            {
                switch (e.Kind)
                {
                    case ScenarioEventKind.SetWeights:
                        state.SetWeightsUpscaled(e.Uid, e.Row, e.Block);
                        break;
                    case ScenarioEventKind.SetStake:
                        state.Stake[e.Uid] = e.Stake;
                        break;
                    case ScenarioEventKind.Register:
                        if (parameters.OwnerUid == e.Uid)
                        {
                            throw new ScenarioException(File, e.Path + ".uid", epoch.Index, $"uid {e.Uid} is the owner uid and cannot be replaced");
                        }

                        state.Register(e.Uid, e.Block, e.Stake);
                        break;
                    case ScenarioEventKind.ResetBonds:
                        if (parameters.BondsReset)
                        {
                            state.ResetBonds(e.Uid);
                        }

                        break;
                    default:
                        parameters = e.Params!.Apply(parameters);
                        raoEmission = e.Params.RaoEmission ?? raoEmission;
                        break;
                }
            }

            UInt128 total = 0;
            foreach (ulong stake in state.Stake)
            {
                total += stake;
            }

            if (total >= (UInt128)1 << 63)
            {
                throw new ScenarioException(File, $"epochs[{epoch.Index}]", epoch.Index, "total stake reaches 2^63");
            }

            EpochResult result = YumaEpoch.Run(state, parameters, epoch.Block, epoch.RaoEmission ?? raoEmission);
            state.Apply(result);
            results[epoch.Index] = result;
        }

        return new ScenarioReplayResult(this, results);
    }
}

/// <summary>The outputs of a replayed scenario, one <see cref="EpochResult"/> per epoch, and their JSON form.</summary>
public sealed class ScenarioReplayResult
{
    /// <summary>The output format tag.</summary>
    public const string Format = "bte-consensus-replay-output/1";

    internal ScenarioReplayResult(Scenario scenario, IReadOnlyList<EpochResult> epochs)
    {
        Scenario = scenario;
        Epochs = epochs;
    }

    /// <summary>The scenario replayed.</summary>
    public Scenario Scenario { get; }

    /// <summary>The result of each epoch, in order.</summary>
    public IReadOnlyList<EpochResult> Epochs { get; }

    /// <summary>Writes the output document of <c>specs/consensus-scenario.md</c> (Output).</summary>
    /// <param name="writer">The writer.</param>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("format", Format);
        writer.WriteString("scenario", Scenario.Name);
        writer.WriteNumber("n", Scenario.Count);
        writer.WriteStartArray("epochs");
        for (int e = 0; e < Epochs.Count; e++)
        {
            EpochResult r = Epochs[e];
            writer.WriteStartObject();
            writer.WriteNumber("index", e);
            writer.WriteNumber("block", r.Block);
            WriteBools(writer, "active", r.Active);
            WriteU16s(writer, "stake_weight", r.StakeWeight);
            WriteU16s(writer, "consensus", r.Consensus);
            WriteU16s(writer, "incentive", r.Incentive);
            WriteU16s(writer, "dividends", r.Dividends);
            WriteU16s(writer, "validator_trust", r.ValidatorTrust);
            WriteBools(writer, "validator_permit", r.ValidatorPermit);
            WriteU64s(writer, "emission", r.Emission);
            WriteU64s(writer, "server_emission", r.ServerEmission);
            WriteU64s(writer, "validator_emission", r.ValidatorEmission);
            writer.WriteStartArray("bonds");
            foreach (SparseRow row in r.Bonds)
            {
                writer.WriteStartArray();
                for (int t = 0; t < row.Count; t++)
                {
                    writer.WriteStartArray();
                    writer.WriteNumberValue(row.Uids[t]);
                    writer.WriteNumberValue(row.Values[t]);
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>The output document as UTF-8 JSON, ending with a newline.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ToUtf8Json()
    {
        using MemoryStream stream = new();
        using (Utf8JsonWriter writer = new(stream))
        {
            WriteTo(writer);
        }

        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    private static void WriteBools(Utf8JsonWriter writer, string name, ReadOnlySpan<bool> values)
    {
        writer.WriteStartArray(name);
        foreach (bool v in values)
        {
            writer.WriteBooleanValue(v);
        }

        writer.WriteEndArray();
    }

    private static void WriteU16s(Utf8JsonWriter writer, string name, ReadOnlySpan<ushort> values)
    {
        writer.WriteStartArray(name);
        foreach (ushort v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }

    private static void WriteU64s(Utf8JsonWriter writer, string name, ReadOnlySpan<ulong> values)
    {
        writer.WriteStartArray(name);
        foreach (ulong v in values)
        {
            writer.WriteNumberValue(v);
        }

        writer.WriteEndArray();
    }
}
