// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;

namespace Bittensor.Edge.Telemetry.Tests.Infrastructure;

/// <summary>
/// A real mosquitto broker on 127.0.0.1 with a generated config (free port, anonymous clients allowed, no persistence),
/// started as a child process and killed on dispose. tools/test installs the Debian packages <c>mosquitto</c> and
/// <c>mosquitto-clients</c>; without them the test fails and says so.
/// </summary>
public sealed class Mosquitto : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _directory;

    private Mosquitto(Process process, string directory, int port)
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
        int port = TestBroker.FreePort();
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
        ProcessStartInfo start = new(binary, ["-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        Process process = Process.Start(start) ?? throw new InvalidOperationException("mosquitto did not start.");
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
        using Process sub = Process.Start(start) ?? throw new InvalidOperationException("mosquitto_sub did not start.");
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
