// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;

namespace Bittensor.Edge.Tests.Shared;

/// <summary>
/// One of our built services as a real child process (<c>dotnet NAME.dll --config FILE</c>), its stdout and stderr
/// collected line by line and handed to the owner's parser (ready lines, ports). Shared by the gateway's and the node's
/// process tests.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly Action<string> _onLine;

    private ServiceProcess(string name, Process process, Action<string> onLine)
    {
        Name = name;
        _process = process;
        _onLine = onLine;
    }

    /// <summary>The service's name in messages, e.g. <c>bte-node</c>.</summary>
    public string Name { get; }

    /// <summary>Every line so far, stdout and stderr interleaved as they arrived.</summary>
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

    /// <summary>
    /// The service built beside this test project: artifacts/bin/TESTS/&lt;config&gt;/ →
    /// artifacts/bin/<paramref name="project"/>/&lt;config&gt;/<paramref name="name"/>.dll.
    /// </summary>
    public static string BuiltDll(string project, string name)
    {
        DirectoryInfo self = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string path = Path.Combine(self.Parent!.Parent!.FullName, project, self.Name, name + ".dll");
        Assert.True(File.Exists(path), $"{name} is not built at {path}");
        return path;
    }

    /// <summary>Starts <paramref name="dll"/> with <c>--config</c> <paramref name="settingsPath"/>, outside any systemd unit.</summary>
    public static ServiceProcess Start(string name, string dll, string settingsPath, Action<string> onLine)
    {
        ProcessStartInfo start = new("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(settingsPath);
        start.Environment.Remove("NOTIFY_SOCKET");
        start.Environment.Remove("WATCHDOG_USEC");
        Process process = Process.Start(start)!;
        ServiceProcess service = new(name, process, onLine);
        process.OutputDataReceived += (_, e) => service.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => service.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>
    /// Waits for <paramref name="ready"/> (set by the owner's line parser). If the process exits first, or
    /// <paramref name="timeout"/> passes (then it is killed), throws with everything it printed.
    /// </summary>
    public async Task<T> WaitReadyAsync<T>(Task<T> ready, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using CancellationTokenSource limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        Task exited = _process.WaitForExitAsync(limit.Token);
        await Task.WhenAny(ready, exited);
        if (ready.IsCompletedSuccessfully)
        {
            return ready.Result;
        }

        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was ready:\n{Output}");
        }

        _process.Kill();
        cancellationToken.ThrowIfCancellationRequested();
        throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds:0} s:\n{Output}");
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

        _onLine(line);
    }
}
