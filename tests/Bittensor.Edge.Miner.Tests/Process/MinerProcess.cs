// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using System.Globalization;
using Bittensor.Edge.Miner.Tests.Infrastructure;

namespace Bittensor.Edge.Miner.Tests.Process;

/// <summary>
/// The built bte-miner as a real child process (<c>dotnet bte-miner.dll --board x64-sim ...</c>) with its own
/// NOTIFY_SOCKET, so tests wait for READY=1 rather than for time; its output is collected for failure messages.
/// </summary>
internal sealed class MinerProcess : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly List<string> _output = [];

    private MinerProcess(System.Diagnostics.Process process, NotifySocket notify)
    {
        _process = process;
        Notify = notify;
    }

    public NotifySocket Notify { get; }

    public int Id => _process.Id;

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

    public static string MinerDll
    {
        get
        {
            // artifacts/bin/Bittensor.Edge.Miner.Tests/<config>/ → artifacts/bin/Bittensor.Edge.Miner/<config>/bte-miner.dll
            DirectoryInfo self = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string path = Path.Combine(self.Parent!.Parent!.FullName, "Bittensor.Edge.Miner", self.Name, "bte-miner.dll");
            Assert.True(File.Exists(path), $"bte-miner is not built at {path}");
            return path;
        }
    }

    /// <summary>Starts bte-miner on x64-sim over <paramref name="root"/>'s data/ and state/, and waits for READY=1.</summary>
    public static async Task<MinerProcess> StartAsync(string root, string notifyPath, IReadOnlyDictionary<string, string>? environment = null)
    {
        ProcessStartInfo start = new("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in (string[])[MinerDll, "--board", "x64-sim", "--data-dir", Path.Combine(root, "data"), "--state-dir", Path.Combine(root, "state"), "--log-level", "Debug"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NOTIFY_SOCKET"] = notifyPath;
        start.Environment["WATCHDOG_USEC"] = "3000000";
        start.Environment["BTE_inference__preload"] = "false";
        start.Environment["BTE_storage__reserveFraction"] = "0";
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        NotifySocket notify = new(notifyPath);
        System.Diagnostics.Process process = System.Diagnostics.Process.Start(start)!;
        MinerProcess miner = new(process, notify);
        process.OutputDataReceived += (_, e) => miner.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => miner.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await notify.WaitForAsync("READY=1", TimeSpan.FromSeconds(60));
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException($"bte-miner sent no READY=1:\n{miner.Output}");
        }

        return miner;
    }

    /// <summary>SIGKILL, as a power cut would.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd's stop does; returns the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (System.Diagnostics.Process kill = System.Diagnostics.Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using CancellationTokenSource expiry = new(timeout);
        await _process.WaitForExitAsync(expiry.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Notify.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }
}
