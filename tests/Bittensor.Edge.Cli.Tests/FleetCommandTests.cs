// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Bittensor.Edge.Cli.Commands;
using Bittensor.Edge.Core.Time;
using Bittensor.Edge.Gateway;
using Bittensor.Edge.Gateway.Settings;
using Bittensor.Edge.Protocol.Fleet;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bittensor.Edge.Cli.Tests;

/// <summary><c>bte fleet</c> against a real bte-gateway host (in-process, broker and admin API on 127.0.0.1 port 0).</summary>
public sealed class FleetCommandTests : IAsyncLifetime
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly string _folder = Directory.CreateTempSubdirectory("bte-cli-fleet-").FullName;
    private readonly CancellationTokenSource _stop = new();
    private Task<int> _gateway = Task.FromResult(0);

    private string DataDir => Path.Combine(_folder, "gateway");

    public async ValueTask InitializeAsync()
    {
        GatewaySettings settings = new();
        settings.Gateway.DataDir = DataDir;
        settings.Mqtt.ListenAddress = "127.0.0.1";
        settings.Mqtt.Port = 0;
        settings.Mqtt.TlsEnabled = true;
        settings.Mqtt.TlsPort = 0;
        settings.Admin.Port = 0;
        _gateway = GatewayHost.RunAsync(settings, new GatewayHostEnvironment(NullLoggerFactory.Instance, SystemClock.Instance, _ => null), _stop.Token);
        using CancellationTokenSource limit = new(TimeSpan.FromSeconds(60));
        while (!File.Exists(Path.Combine(DataDir, GatewayConstants.AdminUrlFileName)))
        {
            Assert.False(_gateway.IsCompleted, $"bte-gateway stopped with exit code {(_gateway.IsCompleted ? _gateway.Result : 0)}");
            await Task.Delay(20, limit.Token);
        }
    }

    [Fact]
    public async Task Token_create_prints_the_token_once_list_shows_only_its_id_and_revoke_marks_it()
    {
        CliResult created = await RunAsync("fleet", "token", "create", "--ttl", "2h", "--uses", "3", "--board", "rpi4");
        Assert.Equal(0, created.ExitCode);
        string token = created.Output.Split('\n')[0].Trim();
        Assert.True(JoinToken.TryParse(token, out JoinToken? parsed));
        string tokenId = JoinToken.FormatTokenId(parsed.TokenId);
        Assert.Contains($"token id {tokenId}, 3 use(s), board rpi4", created.Output, StringComparison.Ordinal);

        CliResult list = await RunAsync("fleet", "token", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(tokenId, list.Output, StringComparison.Ordinal);
        Assert.Contains("3/3", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, list.Output, StringComparison.Ordinal);

        CliResult revoked = await RunAsync("fleet", "token", "revoke", tokenId);
        Assert.Equal(0, revoked.ExitCode);
        CliResult json = await RunAsync("fleet", "token", "list", "--json");
        using JsonDocument document = JsonDocument.Parse(json.Output);
        JsonElement only = document.RootElement.GetProperty("tokens").EnumerateArray().Single();
        Assert.Equal((tokenId, "revoked"), (only.GetProperty("tokenId").GetString(), only.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Devices_preauth_info_and_probe_answer_with_tables_json_or_clear_errors()
    {
        CliResult empty = await RunAsync("fleet", "devices");
        Assert.Equal(0, empty.ExitCode);
        Assert.Contains("No devices enrolled yet", empty.Output, StringComparison.Ordinal);

        using Core.Crypto.Ed25519KeyPair key = Core.Crypto.Ed25519KeyPair.Generate();
        CliResult preauth = await RunAsync("fleet", "preauth", "--pubkey", key.Ss58Address, "--board", "rpi5");
        Assert.Equal(0, preauth.ExitCode);
        string deviceId = DeviceIds.FromPublicKey(key.PublicKey);
        CliResult table = await RunAsync("fleet", "devices");
        Assert.Contains(deviceId, table.Output, StringComparison.Ordinal);
        Assert.Contains("preauthorized", table.Output, StringComparison.Ordinal);
        CliResult json = await RunAsync("fleet", "devices", "--json");
        using (JsonDocument document = JsonDocument.Parse(json.Output))
        {
            Assert.Equal("unknown", document.RootElement.GetProperty("devices")[0].GetProperty("presence").GetString());
        }

        CliResult info = await RunAsync("fleet", "info", "--json");
        Assert.Equal(0, info.ExitCode);
        using (JsonDocument document = JsonDocument.Parse(info.Output))
        {
            Assert.Equal("lab1", document.RootElement.GetProperty("fleetId").GetString());

            // The pin bte-firstboot.json needs is the SHA-256 of the certificate the gateway made in its data folder.
            string pem = await File.ReadAllTextAsync(Path.Combine(DataDir, GatewayConstants.TlsCertificateFileName), TestContext.Current.CancellationToken);
            using X509Certificate2 certificate = X509Certificate2.CreateFromPem(pem);
            string pin = Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
            Assert.Equal(pin, document.RootElement.GetProperty("tlsSha256").GetString());
            Assert.True(document.RootElement.GetProperty("mqttTlsPort").GetInt32() > 0);
            CliResult text = await RunAsync("fleet", "info");
            Assert.Contains($"tlsSha256 {pin}", text.Output, StringComparison.Ordinal);
        }

        CliResult probe = await RunAsync("fleet", "probe", deviceId);
        Assert.Equal(1, probe.ExitCode);
        Assert.Contains("preauthorized; only active devices can be probed", probe.Error, StringComparison.Ordinal);
        CliResult unknown = await RunAsync("fleet", "revoke", "dev-aaaaaaaaaaaaaaaa");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No enrolled device", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_and_connection_problems_say_what_to_do()
    {
        CliResult badTtl = await RunAsync("fleet", "token", "create", "--ttl", "soon");
        Assert.Equal(2, badTtl.ExitCode);
        Assert.Contains("--ttl 'soon'", badTtl.Error, StringComparison.Ordinal);

        CliResult noGateway = await RunAsync("fleet", "devices", "--gateway-dir", Path.Combine(_folder, "nowhere"));
        Assert.Equal(1, noGateway.ExitCode);
        Assert.Contains("Is bte-gateway running with this data folder", noGateway.Error, StringComparison.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Assert.Equal(0, await _gateway);
        _stop.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<CliResult> RunAsync(params string[] args)
    {
        RootCommand root = new("bte (test)");
        root.Subcommands.Add(FleetCommands.Create(name => name == "BTE_GATEWAY_DIR" ? DataDir : null, s_http));
        return WalletCliHarness.InvokeAsync(root, args);
    }
}
