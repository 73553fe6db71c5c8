// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Bittensor.Edge.Gateway.Tests.Process;

/// <summary>The built bte-gateway as a real child process (<c>dotnet bte-gateway.dll --config FILE</c>), its output collected.</summary>
internal sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(System.Diagnostics.Process process)
    {
        _process = process;
    }

    public int MqttPort { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public static string GatewayDll
    {
        get
        {
            // artifacts/bin/Bittensor.Edge.Gateway.Tests/<config>/ → artifacts/bin/Bittensor.Edge.Gateway/<config>/bte-gateway.dll
            DirectoryInfo self = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string path = Path.Combine(self.Parent!.Parent!.FullName, "Bittensor.Edge.Gateway", self.Name, "bte-gateway.dll");
            Assert.True(File.Exists(path), $"bte-gateway is not built at {path}");
            return path;
        }
    }

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
        ProcessStartInfo start = new("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(GatewayDll);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(settingsPath);
        start.Environment.Remove("NOTIFY_SOCKET");
        start.Environment.Remove("WATCHDOG_USEC");
        System.Diagnostics.Process process = System.Diagnostics.Process.Start(start)!;
        GatewayProcess gateway = new(process);
        process.OutputDataReceived += (_, e) => gateway.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => gateway.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => gateway._ready.TrySetException(new InvalidOperationException($"bte-gateway exited with {process.ExitCode} before it was ready:\n{gateway.Output}")), TaskScheduler.Default);
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            gateway.MqttPort = await gateway._ready.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"bte-gateway was not ready within 60 s:\n{gateway.Output}");
        }

        return gateway;
    }

    /// <summary>SIGKILL, then waits for the process to be gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        Match ready = ReadyLine().Match(line);
        if (ready.Success)
        {
            _ready.TrySetResult(int.Parse(ready.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    [GeneratedRegex(@"ready: .* MQTT port (\d+),")]
    private static partial Regex ReadyLine();
}
