// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Bittensor.Edge.Tests.Shared;

/// <summary>
/// A real mosquitto broker on 127.0.0.1 with a generated config (free port, anonymous clients allowed, no persistence):
/// a child process killed on dispose. Shared by the Telemetry and Miner tests (linked into both projects). tools/test installs the Debian packages <c>mosquitto</c> and
/// <c>mosquitto-clients</c>; without them the test fails and says so.
/// </summary>
internal sealed class Mosquitto : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly string _directory;

    private Mosquitto(System.Diagnostics.Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public Uri Uri => new($"mqtt://127.0.0.1:{Port}");

    public static string Find(string name)
    {
        foreach (string dir in new[] { "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin" })
        {
            string path = Path.Combine(dir, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"{name} is not installed: run tools/test (it installs mosquitto and mosquitto-clients) or apt-get install -y mosquitto mosquitto-clients.");
    }

    public static async Task<Mosquitto> StartAsync()
    {
        string binary = Find("mosquitto");
        string directory = Directory.CreateTempSubdirectory("bte-mosquitto-").FullName;
        int port;
        using (TcpListener probe = new(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        string config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence false
            log_dest stderr
            log_type error
            log_type warning
            log_type notice
            log_type information

            """);
        ProcessStartInfo start = new(binary, ["-c", config]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        System.Diagnostics.Process process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("mosquitto did not start.");
        TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
        List<string> log = [];
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException("mosquitto exited: " + string.Join("\n", log)));
                return;
            }

            lock (log)
            {
                log.Add(e.Data);
            }

            if (e.Data.Contains("running", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        Mosquitto mosquitto = new(process, directory, port);
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch
        {
            await mosquitto.DisposeAsync();
            throw;
        }

        return mosquitto;
    }

    /// <summary>Starts a plain <c>mosquitto_sub -v</c> on <paramref name="filters"/> that runs until disposed.</summary>
    public MosquittoSub Subscribe(params string[] filters)
    {
        List<string> args = ["-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture), "-V", "mqttv5", "-v"];
        foreach (string filter in filters)
        {
            args.Add("-t");
            args.Add(filter);
        }

        return new MosquittoSub(new ProcessStartInfo(Find("mosquitto_sub"), args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
    }

    /// <summary>Runs <c>mosquitto_sub</c> until it has printed <paramref name="count"/> messages (<c>-v</c>: "topic payload" lines).</summary>
    public async Task<List<string>> SubscribeAsync(int count, params string[] filters)
    {
        List<string> args = ["-h", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-V", "mqttv5", "-v", "-C", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-W", "20"];
        foreach (string filter in filters)
        {
            args.Add("-t");
            args.Add(filter);
        }

        ProcessStartInfo start = new(Find("mosquitto_sub"), args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using System.Diagnostics.Process sub = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("mosquitto_sub did not start.");
        Task<string> stdout = sub.StandardOutput.ReadToEndAsync();
        Task<string> stderr = sub.StandardError.ReadToEndAsync();
        await sub.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        string output = await stdout;
        if (sub.ExitCode != 0)
        {
            throw new InvalidOperationException($"mosquitto_sub exited {sub.ExitCode}: {await stderr}\n{output}");
        }

        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A running <c>mosquitto_sub -v</c>: its "topic payload" lines, awaitable.</summary>
internal sealed class MosquittoSub : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly List<string> _lines = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public MosquittoSub(ProcessStartInfo start)
    {
        _process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("mosquitto_sub did not start.");
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data is null ? null : "stderr: " + e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The first line (topic, then a space, then the payload) that satisfies <paramref name="match"/>.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using CancellationTokenSource expiry = new(timeout);
        while (true)
        {
            Task changed;
            lock (_lines)
            {
                changed = _changed.Task;
                if (_lines.FirstOrDefault(match) is { } line)
                {
                    return line;
                }
            }

            try
            {
                await changed.WaitAsync(expiry.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"mosquitto_sub printed no matching line in {timeout}; it printed:\n{string.Join('\n', Lines)}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lines)
        {
            _lines.Add(line);
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
