// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using Bittensor.Edge.Chain.Rpc;
using Bittensor.Edge.Cli.Commands.Chain;
using Spectre.Console;

namespace Bittensor.Edge.Cli.Commands.Metagraph;

/// <summary>The body of <c>bte metagraph</c>: scores shown as fractions of 65 535, amounts in TAO.</summary>
internal static class MetagraphView
{
    public static async Task<int> RunAsync(ChainCliContext context, ushort netuid, CancellationToken cancellationToken)
    {
        RpcMetagraph m = await context.Client.GetMetagraphAsync(netuid, cancellationToken).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(w =>
            {
                w.WriteNumber("netuid", m.Netuid);
                w.WriteNumber("block", m.Block);
                w.WriteNumber("n", m.N);
                w.WriteStartArray("neurons");
                for (int uid = 0; uid < m.N; uid++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("uid", uid);
                    w.WriteString("hotkey", m.Hotkeys[uid].ToSs58());
                    w.WriteString("coldkey", m.Coldkeys[uid].ToSs58());
                    w.WriteString("stake", m.Stake[uid].ToString());
                    w.WriteNumber("validatorTrust", m.ValidatorTrust[uid]);
                    w.WriteNumber("consensus", m.Consensus[uid]);
                    w.WriteNumber("incentive", m.Incentive[uid]);
                    w.WriteNumber("dividends", m.Dividends[uid]);
                    w.WriteString("emission", m.Emission[uid].ToString());
                    w.WriteBoolean("active", m.Active[uid]);
                    w.WriteBoolean("validatorPermit", m.ValidatorPermit[uid]);
                    w.WriteNumber("lastUpdate", m.LastUpdate[uid]);
                    w.WriteNumber("blockAtRegistration", m.BlockAtRegistration[uid]);
                    if (m.Axons[uid] is RpcAxon axon)
                    {
                        w.WriteString("axon", Axon(axon));
                    }
                    else
                    {
                        w.WriteNull("axon");
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
            return ChainCliContext.Ok;
        }

        Table table = new Table()
            .Title($"metagraph of subnet {netuid} at block {m.Block}: {m.N} uids")
            .AddColumns("uid", "hotkey", "stake (TAO)", "vtrust", "consensus", "incentive", "dividends", "emission (TAO)", "active", "permit", "axon");
        for (int uid = 0; uid < m.N; uid++)
        {
            string hotkey = m.Hotkeys[uid].ToSs58();
            table.AddRow(
                uid.ToString(CultureInfo.InvariantCulture),
                hotkey[..5] + "…" + hotkey[^4..],
                TaoAmount.Format(m.Stake[uid]),
                Score(m.ValidatorTrust[uid]),
                Score(m.Consensus[uid]),
                Score(m.Incentive[uid]),
                Score(m.Dividends[uid]),
                TaoAmount.Format(m.Emission[uid]),
                m.Active[uid] ? "1" : "0",
                m.ValidatorPermit[uid] ? "1" : "0",
                m.Axons[uid] is RpcAxon axon ? Markup.Escape(Axon(axon)) : "-");
        }

        context.Console.Write(table);
        return ChainCliContext.Ok;
    }

    private static string Score(ushort value) => (value / 65535.0).ToString("0.0000", CultureInfo.InvariantCulture);

    private static string Axon(RpcAxon axon) => axon.IpType == 6 ? $"[{axon.Ip}]:{axon.Port}" : $"{axon.Ip}:{axon.Port}";
}
