// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bittensor.Edge.Tests.Shared;

namespace Bittensor.Edge.Node.Tests.Process;

/// <summary>
/// The built bte-node as a real child process (<c>dotnet bte-node.dll --config FILE</c>), its output collected, its
/// RPC endpoint read from the "RPC listening on" log line, and a hand-rolled JSON-RPC client over HttpClient.
/// </summary>
public sealed partial class NodeProcess : IAsyncDisposable
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ServiceProcess _process = null!;
    private int _id;

    private NodeProcess()
    {
    }

    public Uri Rpc { get; private set; } = null!;

    /// <summary>The block the node reported opening its chain at.</summary>
    public ulong OpenedAt { get; private set; }

    public string Output => _process.Output;

    public static string NodeDll => ServiceProcess.BuiltDll("Bittensor.Edge.Node", "bte-node");

    public static async Task<NodeProcess> StartAsync(string settingsPath, CancellationToken cancellationToken)
    {
        NodeProcess node = new();
        node._process = ServiceProcess.Start("bte-node", NodeDll, settingsPath, node.OnLine);
        node.Rpc = await node._process.WaitReadyAsync(node._listening.Task, TimeSpan.FromSeconds(30), cancellationToken);
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
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private void OnLine(string line)
    {
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
