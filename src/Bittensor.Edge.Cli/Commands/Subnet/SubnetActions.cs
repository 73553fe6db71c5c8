// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Chain.Transactions;
using Bittensor.Edge.Cli.Commands.Chain;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Core.Wallets;
using Spectre.Console;

namespace Bittensor.Edge.Cli.Commands.Subnet;

/// <summary>The bodies of <c>bte subnet ...</c>.</summary>
internal static class SubnetActions
{
    public static async Task<int> CreateAsync(ChainCliContext context, CancellationToken cancellationToken)
    {
        PublicKey hotkey = context.HotkeyPublic();
        using WalletKey coldkey = context.LoadColdkey();
        return await context.SubmitAsync(coldkey.KeyPair, new RegisterNetworkCall(hotkey), "register_network", cancellationToken).ConfigureAwait(false);
    }

    public static async Task<int> ListAsync(ChainCliContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<RpcSubnetSummary> subnets = await context.Client.ListSubnetsAsync(cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(w =>
            {
                w.WriteStartArray("subnets");
                foreach (RpcSubnetSummary s in subnets)
                {
                    w.WriteStartObject();
                    w.WriteNumber("netuid", s.Netuid);
                    w.WriteString("owner", s.Owner.ToSs58());
                    w.WriteNumber("n", s.N);
                    w.WriteNumber("tempo", s.Tempo);
                    w.WriteString("burn", s.Burn.ToString());
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
            return ChainCliContext.Ok;
        }

        if (subnets.Count == 0)
        {
            context.Output.WriteLine("No subnets yet. Create one with: bte subnet create");
            return ChainCliContext.Ok;
        }

        Table table = new Table().AddColumns("netuid", "owner", "n", "tempo", "burn (TAO)");
        foreach (RpcSubnetSummary s in subnets)
        {
            table.AddRow(s.Netuid.ToString(CultureInfo.InvariantCulture), s.Owner.ToSs58(), s.N.ToString(CultureInfo.InvariantCulture), s.Tempo.ToString(CultureInfo.InvariantCulture), TaoAmount.Format(s.Burn));
        }

        context.Console.Write(table);
        return ChainCliContext.Ok;
    }

    public static async Task<int> ShowAsync(ChainCliContext context, ushort netuid, CancellationToken cancellationToken)
    {
        RpcSubnetInfo info = await context.Client.GetSubnetInfoAsync(netuid, cancellationToken).ConfigureAwait(false);
        (string Name, string Value)[] rows =
        [
            ("netuid", info.Netuid.ToString(CultureInfo.InvariantCulture)),
            ("owner", info.Owner.ToSs58()),
            ("ownerHotkey", info.OwnerHotkey.ToSs58()),
            ("n", info.N.ToString(CultureInfo.InvariantCulture)),
            ("tempo", info.Tempo.ToString(CultureInfo.InvariantCulture)),
            ("burn", info.Burn.ToString()),
            ("pendingOwner", info.PendingOwner.ToString()),
            ("pendingServer", info.PendingServer.ToString()),
            ("pendingValidator", info.PendingValidator.ToString()),
            ("nextEpochBlock", info.NextEpochBlock?.ToString(CultureInfo.InvariantCulture) ?? "none (tempo 0)"),
        ];
        if (context.Json)
        {
            context.WriteJson(w =>
            {
                w.WriteNumber("netuid", info.Netuid);
                w.WriteString("owner", info.Owner.ToSs58());
                w.WriteString("ownerHotkey", info.OwnerHotkey.ToSs58());
                w.WriteNumber("n", info.N);
                w.WriteNumber("tempo", info.Tempo);
                w.WriteString("burn", info.Burn.ToString());
                w.WriteString("pendingOwner", info.PendingOwner.ToString());
                w.WriteString("pendingServer", info.PendingServer.ToString());
                w.WriteString("pendingValidator", info.PendingValidator.ToString());
                if (info.NextEpochBlock is ulong next)
                {
                    w.WriteNumber("nextEpochBlock", next);
                }
                else
                {
                    w.WriteNull("nextEpochBlock");
                }
            });
            return ChainCliContext.Ok;
        }

        Table table = new Table().Title($"subnet {netuid}").AddColumns("field", "value");
        foreach ((string name, string value) in rows)
        {
            bool amount = name is "burn" or "pendingOwner" or "pendingServer" or "pendingValidator";
            table.AddRow(name, amount ? $"{TaoAmount.Format(Rao.Parse(value, CultureInfo.InvariantCulture))} TAO" : Markup.Escape(value));
        }

        context.Console.Write(table);
        return ChainCliContext.Ok;
    }

    public static async Task<int> HyperparametersAsync(ChainCliContext context, ushort netuid, string[] assignments, bool sudo, CancellationToken cancellationToken)
    {
        if (assignments.Length == 0)
        {
            IReadOnlyDictionary<string, ulong> values = await context.Client.GetHyperparametersAsync(netuid, cancellationToken).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(w =>
                {
                    w.WriteNumber("netuid", netuid);
                    w.WriteStartObject("hyperparameters");
                    foreach ((string name, ulong value) in values)
                    {
                        w.WriteNumber(name, value);
                    }

                    w.WriteEndObject();
                });
                return ChainCliContext.Ok;
            }

            Table table = new Table().Title($"subnet {netuid} hyperparameters").AddColumns("name", "value");
            foreach ((string name, ulong value) in values)
            {
                table.AddRow(name, value.ToString(CultureInfo.InvariantCulture));
            }

            context.Console.Write(table);
            return ChainCliContext.Ok;
        }

        List<(HyperparameterId Id, ulong Value)> parsed = [];
        foreach (string assignment in assignments)
        {
            int eq = assignment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !Hyperparameters.TryGetId(assignment.AsSpan(0, eq).Trim(), out HyperparameterId id)
                || !ulong.TryParse(assignment.AsSpan(eq + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
            {
                await context.Error.WriteLineAsync($"error: --set '{assignment}' is not NAME=VALUE with a §2.3 name (such as tempo=100) and an unsigned integer; list the names with: bte subnet hparams {netuid}").ConfigureAwait(false);
                return ChainCliContext.Usage;
            }

            parsed.Add((id, value));
        }

        using WalletKey coldkey = context.LoadColdkey();
        int exit = ChainCliContext.Ok;
        foreach ((HyperparameterId id, ulong value) in parsed)
        {
            RuntimeCall call = sudo
                ? new SudoSetHyperparameterCall(new Netuid(netuid), (ushort)id, value)
                : new SetHyperparameterCall(new Netuid(netuid), (ushort)id, value);
            string what = $"{(sudo ? "sudo_set_hyperparameter" : "set_hyperparameter")} {Hyperparameters.NameOf(id)}={value}";
            exit = Math.Max(exit, await context.SubmitAsync(coldkey.KeyPair, call, what, cancellationToken).ConfigureAwait(false));
        }

        return exit;
    }
}
