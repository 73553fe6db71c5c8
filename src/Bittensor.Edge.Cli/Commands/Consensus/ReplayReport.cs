// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using Bittensor.Edge.Consensus.Epoch;
using Bittensor.Edge.Consensus.Scenarios;
using Spectre.Console;

namespace Bittensor.Edge.Cli.Commands.Consensus;

/// <summary>
/// The human-readable report of <c>bte consensus replay</c>: one summary line per epoch and a table of the last epoch,
/// so a newcomer sees what consensus did (who validated, who mined, where the emission went).
/// </summary>
internal static class ReplayReport
{
    /// <summary>Tables longer than this show the uids with the largest emission only.</summary>
    private const int MaxRows = 32;

    private const decimal RaoPerTao = 1_000_000_000m;

    /// <summary>Width used when stdout is not a terminal (a file or a pipe), so tables do not wrap at 80 columns.</summary>
    private const int RedirectedWidth = 160;

    public static IAnsiConsole CreateConsole(TextWriter output)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = AnsiSupport.Detect,
            ColorSystem = ColorSystemSupport.Detect,
            Interactive = InteractionSupport.No,
        });
        if (!ReferenceEquals(output, Console.Out) || Console.IsOutputRedirected)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }

    public static void Write(IAnsiConsole console, string file, string output, ScenarioReplayResult result)
    {
        Scenario scenario = result.Scenario;
        console.MarkupLine(
            $"[bold]{Markup.Escape(scenario.Name)}[/] ({Markup.Escape(file)}): n = {scenario.Count}, {result.Epochs.Count} epochs, " +
            $"{(scenario.Parameters.Yuma3 ? "Yuma3" : "Yuma2")} → {Markup.Escape(output)}");
        if (scenario.Description is { Length: > 0 } description)
        {
            console.MarkupLine($"  [grey]{Markup.Escape(description)}[/]");
        }

        for (int e = 0; e < result.Epochs.Count; e++)
        {
            console.MarkupLine("  " + Markup.Escape(Summary(e, result.Epochs[e])));
        }

        console.Write(LastEpochTable(result.Epochs[^1], result.Epochs.Count - 1));
        console.WriteLine();
    }

    /// <summary>One line: block, activity, who earned what and how much of E went out.</summary>
    internal static string Summary(int index, EpochResult epoch)
    {
        int active = 0;
        int permits = 0;
        int validators = 0;
        int miners = 0;
        ulong emitted = 0;
        ulong toMiners = 0;
        ulong toValidators = 0;
        for (int i = 0; i < epoch.Count; i++)
        {
            active += epoch.Active[i] ? 1 : 0;
            permits += epoch.ValidatorPermit[i] ? 1 : 0;
            validators += epoch.Dividends[i] > 0 ? 1 : 0;
            miners += epoch.Incentive[i] > 0 ? 1 : 0;
            emitted += epoch.Emission[i];
            toMiners += epoch.ServerEmission[i];
            toValidators += epoch.ValidatorEmission[i];
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"epoch {index} at block {epoch.Block}: {active}/{epoch.Count} active, {validators} validators earned dividends, " +
            $"{miners} miners earned incentive, {permits} permits for the next epoch; emitted {emitted} of {epoch.RaoEmission} rao " +
            $"(miners {toMiners}, validators {toValidators})");
    }

    private static Table LastEpochTable(EpochResult epoch, int index)
    {
        Table table = new Table().Border(TableBorder.Rounded)
            .Title($"last epoch ({index}) at block {epoch.Block.ToString(CultureInfo.InvariantCulture)}");
        table.AddColumns(
            new TableColumn("uid").RightAligned(),
            new TableColumn("stake").RightAligned(),
            new TableColumn("active"),
            new TableColumn("permit"),
            new TableColumn("consensus").RightAligned(),
            new TableColumn("incentive").RightAligned(),
            new TableColumn("dividends").RightAligned(),
            new TableColumn("vtrust").RightAligned(),
            new TableColumn("emission rao").RightAligned(),
            new TableColumn("TAO").RightAligned());

        int[] uids = new int[epoch.Count];
        for (int i = 0; i < uids.Length; i++)
        {
            uids[i] = i;
        }

        if (uids.Length > MaxRows)
        {
            ReadOnlySpan<ulong> emission = epoch.Emission;
            ulong[] keys = emission.ToArray();
            Array.Sort(keys, uids, Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
            uids = uids[..MaxRows];
            Array.Sort(uids);
            table.Caption($"the {MaxRows} of {epoch.Count} uids with the largest emission");
        }

        foreach (int i in uids)
        {
            table.AddRow(
                i.ToString(CultureInfo.InvariantCulture),
                Ratio(epoch.StakeWeight[i]),
                epoch.Active[i] ? "yes" : "no",
                epoch.ValidatorPermit[i] ? "yes" : "no",
                Ratio(epoch.Consensus[i]),
                Ratio(epoch.Incentive[i]),
                Ratio(epoch.Dividends[i]),
                Ratio(epoch.ValidatorTrust[i]),
                epoch.Emission[i].ToString(CultureInfo.InvariantCulture),
                (epoch.Emission[i] / RaoPerTao).ToString("0.000000000", CultureInfo.InvariantCulture));
        }

        return table;
    }

    /// <summary>A stored u16 ratio as a 4-digit fraction of 65535.</summary>
    private static string Ratio(ushort value) =>
        Math.Round(value / 65535m, 4, MidpointRounding.AwayFromZero).ToString("0.0000", CultureInfo.InvariantCulture);
}
