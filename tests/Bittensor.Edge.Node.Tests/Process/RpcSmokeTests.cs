// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Text;
using System.Text.Json;

namespace Bittensor.Edge.Node.Tests.Process;

/// <summary>The HTTP face of the real bte-node: bad input is a JSON-RPC error, never HTTP 500.</summary>
public sealed class RpcSmokeTests
{
    [Fact]
    public async Task Malformed_requests_get_json_rpc_errors_and_never_http_500()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        using TestNetwork net = new(blockTimeMs: 1000, maxBodyBytes: 4096);
        await using NodeProcess node = await NodeProcess.StartAsync(net.SettingsPath, ct);

        (int status, JsonElement body) = await node.PostAsync("{not json", ct);
        Assert.Equal(200, status);
        Assert.Equal(-32700, body.GetProperty("error").GetProperty("code").GetInt32());

        (status, body) = await node.PostAsync("", ct);
        Assert.Equal(200, status);
        Assert.True(body.GetProperty("error").GetProperty("code").GetInt32() is -32700 or -32600);

        (status, body) = await node.PostAsync("""{"jsonrpc":"2.0","id":7,"method":"no_such_method","params":[]}""", ct);
        Assert.Equal(200, status);
        Assert.Equal(-32601, body.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(7, body.GetProperty("id").GetInt32());

        (status, body) = await node.PostAsync("""{"jsonrpc":"2.0","id":1,"method":"state_getAccount","params":["not-an-address"]}""", ct);
        Assert.Equal(200, status);
        Assert.Equal(-32602, body.GetProperty("error").GetProperty("code").GetInt32());

        (status, body) = await node.PostAsync(new string('x', 8192), ct);
        Assert.Equal(413, status);
        Assert.Equal(-32600, body.GetProperty("error").GetProperty("code").GetInt32());

        using (HttpResponseMessage get = await NodeProcess.Http.GetAsync(node.Rpc, ct))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
            Assert.Contains("POST", get.Content.Headers.Allow);
            Assert.Equal(-32600, (await NodeProcess.ReadJsonAsync(get, ct)).GetProperty("error").GetProperty("code").GetInt32());
        }

        using (StringContent content = new("{}", Encoding.UTF8, "application/json"))
        using (HttpResponseMessage other = await NodeProcess.Http.PostAsync(new Uri(node.Rpc, "/other"), content, ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
            Assert.Equal(-32601, (await NodeProcess.ReadJsonAsync(other, ct)).GetProperty("error").GetProperty("code").GetInt32());
        }

        JsonElement info = await node.CallAsync("system_info", "[]", ct);
        Assert.Equal(net.Genesis.Hash.ToString(), info.GetProperty("genesisHash").GetString());
        Assert.DoesNotContain(" fail", node.Output, StringComparison.OrdinalIgnoreCase);
    }
}
