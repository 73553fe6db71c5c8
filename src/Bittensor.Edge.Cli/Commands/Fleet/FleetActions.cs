// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bittensor.Edge.Gateway.Admin;

namespace Bittensor.Edge.Cli.Commands.Fleet;

/// <summary>The actions of <c>bte fleet</c>. Exit codes: 0 success, 1 the gateway refused or failed (or a probe failed), 2 a usage error.</summary>
internal sealed class FleetActions(Option<string?> gatewayDir, Option<bool> json, Func<string, string?> getEnvironmentVariable, HttpClient? http)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromMinutes(10) };

    public Command TokenCreateCommand()
    {
        Option<string> ttl = new("--ttl") { Description = "How long the token stays valid: 7d, 12h, 30m, 90s (default 7d).", DefaultValueFactory = _ => "7d" };
        Option<int> uses = new("--uses") { Description = "How many devices it admits (default 1; batch flashing takes N).", DefaultValueFactory = _ => 1 };
        Option<string?> board = new("--board") { Description = "Admit only this board (rpi4, rpi5, jetson-orin-nano, x64-sim)." };
        Command create = new("create", "Make a join token. It is printed once: the gateway keeps only its verifier.") { ttl, uses, board };
        create.SetAction((result, ct) => RunAsync(result, async (client, output) =>
        {
            if (!TryParseTtl(result.GetValue(ttl)!, out TimeSpan span))
            {
                throw new UsageException($"--ttl '{result.GetValue(ttl)}' is not a duration like 7d, 12h, 30m or 90s.");
            }

            TokenCreated created = await client.CreateTokenAsync(new TokenCreateRequest((long)span.TotalSeconds, result.GetValue(uses), result.GetValue(board)), ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                await WriteJsonAsync(output, created, AdminJsonContext.Default.TokenCreated).ConfigureAwait(false);
                return 0;
            }

            await output.WriteLineAsync(created.Token).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"token id {created.TokenId}, {created.Uses} use(s), board {created.Board ?? "any"}, expires {created.ExpiresAt:u}")).ConfigureAwait(false);
            await output.WriteLineAsync("Put the token in bte-firstboot.json (joinToken); it is not shown again.").ConfigureAwait(false);
            return 0;
        }, ct));
        return create;
    }

    public Command TokenListCommand()
    {
        Command list = new("list", "List join tokens (ids, uses left, expiry, state); never their secrets.");
        list.SetAction((result, ct) => RunAsync(result, async (client, output) =>
        {
            TokenList tokens = await client.ListTokensAsync(ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                await WriteJsonAsync(output, tokens, AdminJsonContext.Default.TokenList).ConfigureAwait(false);
                return 0;
            }

            await WriteTableAsync(output, ["TOKEN ID", "STATE", "USES LEFT", "BOARD", "EXPIRES"],
                tokens.Tokens.Select(t => new[] { t.TokenId, t.State, $"{t.UsesLeft}/{t.Uses}", t.Board ?? "any", t.ExpiresAt.ToString("u", CultureInfo.InvariantCulture) })).ConfigureAwait(false);
            return 0;
        }, ct));
        return list;
    }

    public Command TokenRevokeCommand()
    {
        Argument<string> tokenId = new("TOKEN_ID") { Description = "The token id (16 hex digits, from bte fleet token list)." };
        Command revoke = new("revoke", "Revoke a join token: later joins with it are refused (TokenRevoked).") { tokenId };
        revoke.SetAction((result, ct) => RunAsync(result, async (client, output) =>
        {
            TokenInfo token = await client.RevokeTokenAsync(result.GetValue(tokenId)!, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                await WriteJsonAsync(output, token, AdminJsonContext.Default.TokenInfo).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"token {token.TokenId} revoked").ConfigureAwait(false);
            }

            return 0;
        }, ct));
        return revoke;
    }

    public Command PreauthCommand()
    {
        Option<string> pubkey = new("--pubkey") { Description = "The device key (SS58, or 0x and 64 hex digits).", Required = true };
        Option<string> board = new("--board") { Description = "Its board (rpi4, rpi5, jetson-orin-nano, x64-sim).", Required = true };
        Command preauth = new("preauth", "Preauthorize a device key: it joins with token id 0 and no token.") { pubkey, board };
        preauth.SetAction((result, ct) => RunAsync(result, async (client, output) =>
        {
            DeviceInfo device = await client.PreauthorizeAsync(new PreauthRequest(result.GetValue(pubkey)!, result.GetValue(board)!), ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                await WriteJsonAsync(output, device, AdminJsonContext.Default.DeviceInfo).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"{device.DeviceId} preauthorized for {device.Board}").ConfigureAwait(false);
            }

            return 0;
        }, ct));
        return preauth;
    }

    public Command DevicesCommand()
    {
        Command devices = new("devices", "List enrolled devices: id, board, state, online/offline (status topic, bdSeq rule), last seen.");
        devices.SetAction((result, ct) => RunAsync(result, async (client, output) =>
        {
            DeviceList list = await client.ListDevicesAsync(ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                await WriteJsonAsync(output, list, AdminJsonContext.Default.DeviceList).ConfigureAwait(false);
                return 0;
            }

            if (list.Devices.Count == 0)
            {
                await output.WriteLineAsync("No devices enrolled yet. Make a token with 'bte fleet token create' and flash it into a device.").ConfigureAwait(false);
                return 0;
            }

            await WriteTableAsync(output, ["DEVICE", "BOARD", "STATE", "PRESENCE", "LAST SEEN", "SERIAL"],
                list.Devices.Select(d => new[] { d.DeviceId, d.Board, d.State, d.Presence, d.LastSeen?.ToString("u", CultureInfo.InvariantCulture) ?? "never", d.Serial })).ConfigureAwait(false);
            return 0;
        }, ct));
        return devices;
    }

    public Command RevokeCommand()
    {
        Argument<string> device = new("DEVICE") { Description = "The device id (dev-…)." };
        Command revoke = new("revoke", "Revoke a device: logins refused, session dropped, cmd/revoke sent, HA discovery cleared.") { device };
        revoke.SetAction((result, ct) => RunAsync(result, async (client, output) =>
        {
            RevokeResult revoked = await client.RevokeDeviceAsync(result.GetValue(device)!, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                await WriteJsonAsync(output, revoked, AdminJsonContext.Default.RevokeResult).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"{revoked.DeviceId} revoked ({(revoked.WasConnected ? revoked.RevokeAcknowledged ? "it acknowledged cmd/revoke" : "connected, but it did not acknowledge cmd/revoke" : "it was not connected")}; session dropped, discovery cleared)").ConfigureAwait(false);
            }

            return 0;
        }, ct));
        return revoke;
    }

    public Command ProbeCommand()
    {
        Argument<string> device = new("DEVICE") { Description = "The device id (dev-…)." };
        Command probe = new("probe", "Probe a device: a storage challenge (a sector put first if needed) and an inference request, each answer verified.") { device };
        probe.SetAction((result, ct) => RunAsync(result, async (client, output) =>
        {
            ProbeReport report = await client.ProbeAsync(result.GetValue(device)!, ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                await WriteJsonAsync(output, report, AdminJsonContext.Default.ProbeReport).ConfigureAwait(false);
            }
            else
            {
                await WriteTableAsync(output, ["CHECK", "RESULT", "LATENCY", "DETAIL"],
                    report.Checks.Select(c => new[] { c.Name, c.Ok ? "pass" : "FAIL", string.Create(CultureInfo.InvariantCulture, $"{c.LatencyMs:0.0} ms"), c.Detail })).ConfigureAwait(false);
                await output.WriteLineAsync($"{report.DeviceId}: {(report.Ok ? "PASS" : "FAIL")}").ConfigureAwait(false);
            }

            return report.Ok ? 0 : 1;
        }, ct));
        return probe;
    }

    public Command InfoCommand()
    {
        Command info = new("info", "Show the fleet id, the gateway's bus key (gateway.publicKey for bte-firstboot.json), the MQTT ports and the TLS certificate pin (tlsSha256).");
        info.SetAction((result, ct) => RunAsync(result, async (client, output) =>
        {
            GatewayInfo gateway = await client.InfoAsync(ct).ConfigureAwait(false);
            if (result.GetValue(json))
            {
                await WriteJsonAsync(output, gateway, AdminJsonContext.Default.GatewayInfo).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"fleet {gateway.FleetId}, gateway {gateway.GatewayId}, topics {gateway.BaseTopic}/…").ConfigureAwait(false);
                await output.WriteLineAsync($"bus key {gateway.BusKey}").ConfigureAwait(false);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"mqtt port {gateway.MqttPort}")).ConfigureAwait(false);
                await output.WriteLineAsync(gateway is { MqttTlsPort: { } tlsPort, TlsSha256: { } pin }
                    ? string.Create(CultureInfo.InvariantCulture, $"mqtts port {tlsPort}, tlsSha256 {pin}")
                    : "mqtts off (set mqtt:tlsEnabled to listen with a pinned self-signed certificate)").ConfigureAwait(false);
            }

            return 0;
        }, ct));
        return info;
    }

    /// <summary>Parses <c>7d</c>, <c>12h</c>, <c>30m</c>, <c>90s</c> or plain seconds.</summary>
    internal static bool TryParseTtl(string text, out TimeSpan ttl)
    {
        ttl = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        char unit = text[^1];
        double factor = unit switch { 'd' => 86_400, 'h' => 3_600, 'm' => 60, 's' => 1, _ => 0 };
        string number = factor == 0 ? text : text[..^1];
        if (factor == 0)
        {
            factor = 1;
        }

        if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value <= 0 || value > 10_000_000)
        {
            return false;
        }

        ttl = TimeSpan.FromSeconds(value * factor);
        return true;
    }

    private async Task<int> RunAsync(ParseResult result, Func<AdminClient, TextWriter, Task<int>> action, CancellationToken cancellationToken)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        TextWriter error = result.InvocationConfiguration.Error;
        string dir = result.GetValue(gatewayDir) ?? getEnvironmentVariable("BTE_GATEWAY_DIR")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".bittensor-edge", "gateway");
        try
        {
            AdminClient client = AdminClient.FromDataDir(http ?? s_http, dir);
            return await action(client, output).ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"bte: {e.Message}").ConfigureAwait(false);
            return 2;
        }
        catch (AdminException e)
        {
            await error.WriteLineAsync($"bte: {e.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 1;
        }
    }

    private static async Task WriteJsonAsync<T>(TextWriter output, T value, JsonTypeInfo<T> typeInfo) =>
        await output.WriteLineAsync(JsonSerializer.Serialize(value, typeInfo)).ConfigureAwait(false);

    private static async Task WriteTableAsync(TextWriter output, string[] headers, IEnumerable<string[]> rows)
    {
        List<string[]> all = [headers, .. rows];
        int[] widths = new int[headers.Length];
        foreach (string[] row in all)
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (string[] row in all)
        {
            string line = string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i])));
            await output.WriteLineAsync(line.TrimEnd()).ConfigureAwait(false);
        }
    }

    private sealed class UsageException(string message) : Exception(message);
}
