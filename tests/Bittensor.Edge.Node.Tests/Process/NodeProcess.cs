// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bittensor.Edge.Node.Tests.Process;

/// <summary>
/// The built bte-node as a real child process (<c>dotnet bte-node.dll --config FILE</c>), its output collected, its
/// RPC endpoint read from the "RPC listening on" log line, and a hand-rolled JSON-RPC client over HttpClient.
/// </summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly System.Diagnostics.Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _id;

    private NodeProcess(System.Diagnostics.Process process)
    {
        _process = process;
    }

    public Uri Rpc { get; private set; } = null!;

    /// <summary>The block the node reported opening its chain at.</summary>
    public ulong OpenedAt { get; private set; }

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

    public static string NodeDll
    {
        get
        {
            // artifacts/bin/Bittensor.Edge.Node.Tests/<config>/ → artifacts/bin/Bittensor.Edge.Node/<config>/bte-node.dll
            DirectoryInfo self = new(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string path = Path.Combine(self.Parent!.Parent!.FullName, "Bittensor.Edge.Node", self.Name, "bte-node.dll");
            Assert.True(File.Exists(path), $"bte-node is not built at {path}");
            return path;
        }
    }

    public static async Task<NodeProcess> StartAsync(string settingsPath, CancellationToken cancellationToken)
    {
        ProcessStartInfo start = new("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(NodeDll);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(settingsPath);
        start.Environment.Remove("NOTIFY_SOCKET");
        start.Environment.Remove("WATCHDOG_USEC");
        System.Diagnostics.Process process = System.Diagnostics.Process.Start(start)!;
        NodeProcess node = new(process);
        process.OutputDataReceived += (_, e) => node.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => node.OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _ = process.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => node._listening.TrySetException(new InvalidOperationException($"bte-node exited with {process.ExitCode} before listening:\n{node.Output}")), TaskScheduler.Default);
        using CancellationTokenSource timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            node.Rpc = await node._listening.Task.WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"bte-node did not listen within 30 s:\n{node.Output}");
        }

        return node;
    }

    /// <summary>Calls <paramref name="method"/> with <paramref name="paramsJson"/> and returns its result (a clone), failing on a JSON-RPC error.</summary>
    public async Task<JsonElement> CallAsync(string method, string paramsJson, CancellationToken cancellationToken)
    {
        string request = $$"""{"jsonrpc":"2.0","id":{{Interlocked.Increment(ref _id)}},"method":"{{method}}","params":{{paramsJson}}}""";
        (int status, JsonElement response) = await PostAsync(request, cancellationToken);
        Assert.Equal(200, status);
        if (response.TryGetProperty("error", out JsonElement error))
        {
            throw new InvalidOperationException($"{method} failed: {error}");
        }

        return response.GetProperty("result").Clone();
    }

    /// <summary>POSTs raw bytes to /rpc; the status and the parsed body.</summary>
    public async Task<(int Status, JsonElement Body)> PostAsync(string body, CancellationToken cancellationToken)
    {
        using ByteArrayContent content = new(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using HttpResponseMessage response = await s_http.PostAsync(Rpc, content, cancellationToken);
        return ((int)response.StatusCode, await ReadJsonAsync(response, cancellationToken));
    }

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string text = await response.Content.ReadAsStringAsync(cancellationToken);
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static HttpClient Http => s_http;

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

        Match opened = OpenedLine().Match(line);
        if (opened.Success)
        {
            OpenedAt = ulong.Parse(opened.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        Match listening = ListeningLine().Match(line);
        if (listening.Success)
        {
            _listening.TrySetResult(new Uri(listening.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"opened at block (\d+)")]
    private static partial Regex OpenedLine();

    [GeneratedRegex(@"RPC listening on (\S+)")]
    private static partial Regex ListeningLine();
}
