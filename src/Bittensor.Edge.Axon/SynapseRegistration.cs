// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Bittensor.Edge.Protocol;
using Bittensor.Edge.Protocol.Synapses;

namespace Bittensor.Edge.Axon;

/// <summary>A handler's answer: status, message and body, and what releases the body's pooled buffer once it is sent.</summary>
internal readonly record struct HandlerOutcome(AxonStatus Status, string Message, ReadOnlyMemory<byte> Body, Action? Release = null)
{
    public static HandlerOutcome FromError(DomainError error) =>
        new(error.Status, error.Message, JsonSerializer.SerializeToUtf8Bytes(error.ToBody(), ProtocolJsonContext.Default.ErrorBody));

    public static HandlerOutcome FromError(AxonStatus status, string code, string message) =>
        FromError(new DomainError(code, message, status));
}

/// <summary>One synapse's route, erased to bytes in and bytes out: parse (400), check shape (422), handle, serialize.</summary>
internal sealed class SynapseRegistration
{
    private readonly Func<ReadOnlyMemory<byte>, SynapseContext, CancellationToken, ValueTask<HandlerOutcome>> _run;

    private SynapseRegistration(string name, Func<ReadOnlyMemory<byte>, SynapseContext, CancellationToken, ValueTask<HandlerOutcome>> run)
    {
        Name = name;
        _run = run;
    }

    public string Name { get; }

    public ValueTask<HandlerOutcome> RunAsync(ReadOnlyMemory<byte> body, SynapseContext context, CancellationToken cancellationToken) =>
        _run(body, context, cancellationToken);

    public static SynapseRegistration CreateRaw(string name, RawSynapseHandler handler)
    {
        return new SynapseRegistration(name, RunAsync);

        async ValueTask<HandlerOutcome> RunAsync(ReadOnlyMemory<byte> body, SynapseContext context, CancellationToken cancellationToken)
        {
            RawSynapseResult result = await handler(body, context, cancellationToken).ConfigureAwait(false);
            if (result.Error is DomainError error)
            {
                return HandlerOutcome.FromError(error);
            }

            if (result.Body is not ReadOnlyMemory<byte> responseBody)
            {
                ThrowHelper.ThrowInvalidOperation($"The {name} handler returned neither a body nor an error.");
                return default;
            }

            return new HandlerOutcome(AxonStatus.Ok, "Success", responseBody, result.Release);
        }
    }

    public static SynapseRegistration Create<TRequest, TResponse>(
        string name,
        JsonTypeInfo<TRequest> requestInfo,
        JsonTypeInfo<TResponse> responseInfo,
        SynapseHandler<TRequest, TResponse> handler)
        where TResponse : class
    {
        return new SynapseRegistration(name, RunAsync);

        async ValueTask<HandlerOutcome> RunAsync(ReadOnlyMemory<byte> body, SynapseContext context, CancellationToken cancellationToken)
        {
            TRequest? request;
            try
            {
                request = JsonSerializer.Deserialize(body.Span, requestInfo);
            }
            catch (JsonException e)
            {
                return HandlerOutcome.FromError(AxonStatus.BadRequest, "BadJson", $"The body is not a valid {name} request: {e.Message}");
            }

            if (request is null)
            {
                return HandlerOutcome.FromError(AxonStatus.BadRequest, "BadJson", "The body is null.");
            }

            if (request is ISynapseMessage message && message.Validate() is DomainError invalid)
            {
                return HandlerOutcome.FromError(invalid);
            }

            SynapseResult<TResponse> result = await handler(request, context, cancellationToken).ConfigureAwait(false);
            if (result.Error is DomainError error)
            {
                return HandlerOutcome.FromError(error);
            }

            if (result.Response is null)
            {
                ThrowHelper.ThrowInvalidOperation($"The {name} handler returned neither a response nor an error.");
            }

            return new HandlerOutcome(AxonStatus.Ok, "Success", JsonSerializer.SerializeToUtf8Bytes(result.Response, responseInfo));
        }
    }
}
