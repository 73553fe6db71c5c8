// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Text.RegularExpressions;
using Bittensor.Edge.Tests.Shared;

namespace Bittensor.Edge.Gateway.Tests.Process;

/// <summary>The built bte-gateway as a real child process (<c>dotnet bte-gateway.dll --config FILE</c>), its output collected.</summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ServiceProcess _process = null!;

    private GatewayProcess()
    {
    }

    public int MqttPort { get; private set; }

    public string Output => _process.Output;

    public static string GatewayDll => ServiceProcess.BuiltDll("Bittensor.Edge.Gateway", "bte-gateway");

    /// <summary>Writes a settings file for <paramref name="dataDir"/> with the broker and admin API on 127.0.0.1, port 0.</summary>
    public static string WriteSettings(string folder, string dataDir)
    {
        string path = Path.Combine(folder, "gateway.settings.jsonc");
        File.WriteAllText(path, $$"""
            // test settings
            {
              "gateway": { "dataDir": "{{dataDir}}", "fleetId": "lab1", "gatewayId": "gw1" },
              "mqtt": { "listenAddress": "127.0.0.1", "port": 0 },
              "admin": { "listenAddress": "127.0.0.1", "port": 0 }
            }
            """);
        return path;
    }

    public static async Task<GatewayProcess> StartAsync(string settingsPath, CancellationToken cancellationToken)
    {
        GatewayProcess gateway = new();
        gateway._process = ServiceProcess.Start("bte-gateway", GatewayDll, settingsPath, gateway.OnLine);
        gateway.MqttPort = await gateway._process.WaitReadyAsync(gateway._ready.Task, TimeSpan.FromSeconds(60), cancellationToken);
        return gateway;
    }

    /// <summary>SIGKILL, then waits for the process to be gone.</summary>
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private void OnLine(string line)
    {
        Match ready = ReadyLine().Match(line);
        if (ready.Success)
        {
            _ready.TrySetResult(int.Parse(ready.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"ready: .* MQTT port (\d+),")]
    private static partial Regex ReadyLine();
}
