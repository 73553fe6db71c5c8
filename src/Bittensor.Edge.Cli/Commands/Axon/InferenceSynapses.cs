// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Axon;
using Bittensor.Edge.Core;
using Bittensor.Edge.Inference;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Cli.Commands.Axon;

/// <summary>
/// The <c>Inference</c> synapse (protocol.md §4) over an <see cref="InferenceHost"/>: the body goes to the host as
/// bytes (<see cref="InferenceHost.InferWireAsync"/> reads it without intermediate objects and decodes the tensor data
/// straight into the model's pooled buffer), with the request's own deadline; the host's errors map to the axon's
/// domain errors (inference.md §4: <c>UnknownModel</c> and <c>BadInput</c> 422, <c>ModelNotReady</c> and <c>Busy</c>
/// 503, <c>DeadlineExceeded</c> 408, a body that is not a request 400).
/// </summary>
internal static class InferenceSynapses
{
    /// <summary>Maps <c>Inference</c> onto <paramref name="host"/>; <paramref name="clock"/> must be the axon's.</summary>
    public static AxonBuilder MapInference(this AxonBuilder builder, InferenceHost host, IClock clock) =>
        builder.MapRaw(SynapseNames.Inference, Handler(host, clock));

    /// <summary>The raw handler serving <paramref name="host"/>, with each request's own deadline on <paramref name="clock"/>.</summary>
    public static RawSynapseHandler Handler(InferenceHost host, IClock clock) => (body, context, _) =>
    {
        ValueTask<InferenceResult> run = host.InferWireAsync(body, context.Deadline - clock.Elapsed);
        return run.IsCompletedSuccessfully ? ValueTask.FromResult(ToResult(run.Result)) : AwaitAsync(run);
    };

    /// <summary>The models part of <c>Health</c>: the ids the host serves.</summary>
    public static InferenceSummary Summary(InferenceHost? host) =>
        new(host is null ? [] : [.. host.Models.Select(m => m.Id).Order(StringComparer.Ordinal)]);

    private static async ValueTask<RawSynapseResult> AwaitAsync(ValueTask<InferenceResult> run) => ToResult(await run.ConfigureAwait(false));

    private static RawSynapseResult ToResult(InferenceResult result) =>
        result.ResponseBody is { } body
            ? new RawSynapseResult(body, result.ReleaseResponse)
            : new DomainError(result.Error!.Code.ToString(), result.Error.Message, (AxonStatus)result.Error.HttpStatus);
}
