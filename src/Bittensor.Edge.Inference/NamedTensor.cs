// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Inference;

/// <summary>
/// A named tensor as it crosses the host: the wire's <c>{name, dtype, shape, data}</c> (protocol.md §4), where
/// <see cref="Data"/> is the little-endian packed element array in row-major order.
/// </summary>
/// <param name="Name">Input or output name.</param>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions; dimension 0 is the batch (rows).</param>
/// <param name="Data">Packed elements (or their base64 text, see <see cref="IsBase64"/>). The host copies inputs into its pooled buffers when the request runs, so the caller must leave the memory unchanged until the request is answered.</param>
public sealed record NamedTensor(string Name, InferenceDType DType, IReadOnlyList<long> Shape, ReadOnlyMemory<byte> Data)
{
    /// <summary>
    /// Whether <see cref="Data"/> is the padded base64 text of the packed elements (UTF-8, as on the wire) rather than the
    /// elements themselves. The batcher decodes such inputs straight into its pooled buffers (<see cref="Wire.InferenceWire"/>).
    /// </summary>
    public bool IsBase64 { get; init; }

    /// <summary>The length of the packed elements: <see cref="Data"/>'s length, or what its base64 text decodes to (−1 when it is not padded base64).</summary>
    public long ByteLength => IsBase64 ? Wire.InferenceWire.Base64Length(Data.Span) : Data.Length;

    /// <summary>
    /// Writes the packed elements into <paramref name="destination"/> (decoding base64 data straight into it), which must
    /// be <see cref="ByteLength"/> bytes; false when the base64 text does not decode to exactly that.
    /// </summary>
    public bool TryCopyElementsTo(Span<byte> destination)
    {
        if (!IsBase64)
        {
            Data.Span.CopyTo(destination);
            return true;
        }

        return System.Buffers.Text.Base64.DecodeFromUtf8(Data.Span, destination, out _, out int written) == System.Buffers.OperationStatus.Done
            && written == destination.Length;
    }
}

/// <summary>Error codes of the inference request path (inference.md §4).</summary>
public enum InferenceErrorCode
{
    /// <summary>422: the id is not in the registry, or the request's model SHA-256 differs from the registry's.</summary>
    UnknownModel,

    /// <summary>422: wrong input names, dtype, rank, non-batch dims, byte length, too many rows, or values outside the domain (NaN, ±Inf, a bool other than 0/1).</summary>
    BadInput,

    /// <summary>503: the model is known but not loaded (or failed its self-test, or is shutting down).</summary>
    ModelNotReady,

    /// <summary>503: the model's queue is full (4 × maxBatch rows).</summary>
    Busy,

    /// <summary>400: the request body is not JSON of the <c>Inference</c> request's form (protocol.md §3.5: bad JSON is 400).</summary>
    BadJson,

    /// <summary>408: the request's deadline passed before it ran.</summary>
    DeadlineExceeded,
}

/// <summary>An expected failure of one request: a code and a message for the operator or the caller.</summary>
/// <param name="Code">What went wrong.</param>
/// <param name="Message">Why, naming the field at fault.</param>
public sealed record InferenceError(InferenceErrorCode Code, string Message)
{
    /// <summary>The HTTP status the axon maps this code to (inference.md §4).</summary>
    public int HttpStatus => Code switch
    {
        InferenceErrorCode.ModelNotReady or InferenceErrorCode.Busy => 503,
        InferenceErrorCode.DeadlineExceeded => 408,
        InferenceErrorCode.BadJson => 400,
        _ => 422,
    };

    internal static InferenceError BadInput(string message) => new(InferenceErrorCode.BadInput, message);
}

/// <summary>The outcome of one request: outputs on success, or an <see cref="InferenceError"/>.</summary>
/// <remarks>Immutable, apart from <see cref="ReleaseResponse"/>; the output arrays belong to the caller.</remarks>
public sealed class InferenceResult
{
    private byte[]? _pooled;

    private InferenceResult(IReadOnlyList<NamedTensor> outputs, InferenceError? error, int batchRows, TimeSpan compute, byte[]? pooled = null, int length = 0)
    {
        _pooled = pooled;
        if (pooled is not null)
        {
            // Not a conditional expression: "c ? null : memory" would type as ReadOnlyMemory<byte> and turn null into empty.
            ResponseBody = new ReadOnlyMemory<byte>(pooled, 0, length);
        }

        Outputs = outputs;
        Error = error;
        BatchRows = batchRows;
        ComputeTime = compute;
    }

    /// <summary>Output tensors, in the model's output order; empty on failure and for wire requests.</summary>
    public IReadOnlyList<NamedTensor> Outputs { get; }

    /// <summary>
    /// For a wire request (<see cref="InferenceHost.InferWireAsync"/>), the <c>Inference</c> response body
    /// <c>{outputs, computeUs}</c> (protocol.md §4); null otherwise and on failure. It lives in a pooled array: call
    /// <see cref="ReleaseResponse"/> once it is written out (optional; an unreleased array is simply collected).
    /// </summary>
    public ReadOnlyMemory<byte>? ResponseBody { get; }

    /// <summary>The failure, or null on success.</summary>
    public InferenceError? Error { get; }

    /// <summary>Whether the request ran and has outputs.</summary>
    public bool IsSuccess => Error is null;

    /// <summary>Rows in the batch this request ran in (its own rows plus those it shared the run with); 0 on failure.</summary>
    public int BatchRows { get; }

    /// <summary>Time of the session run that computed it (shared by the batch).</summary>
    public TimeSpan ComputeTime { get; }

    /// <summary>A success.</summary>
    public static InferenceResult Success(IReadOnlyList<NamedTensor> outputs, int batchRows, TimeSpan compute) => new(outputs, null, batchRows, compute);

    /// <summary>
    /// A success of a wire request: its encoded response body, the first <paramref name="length"/> bytes of
    /// <paramref name="pooled"/>, an array rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/> that
    /// <see cref="ReleaseResponse"/> returns.
    /// </summary>
    public static InferenceResult SuccessWire(byte[] pooled, int length, int batchRows, TimeSpan compute) => new([], null, batchRows, compute, pooled, length);

    /// <summary>
    /// Hands the response body's array back to the pool: call it once the body is written out, and do not touch
    /// <see cref="ResponseBody"/> after. Only the first call returns it. Releasing is optional, but a host answering
    /// thousands of requests a second reuses the same few warm arrays instead of allocating fresh memory for each response
    /// (≈ 3 µs of cache misses per batch-1 request after a run that streamed its weights through the caches).
    /// </summary>
    public void ReleaseResponse()
    {
        if (Interlocked.Exchange(ref _pooled, null) is byte[] array)
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(array);
        }
    }

    /// <summary>A failure.</summary>
    public static InferenceResult Failure(InferenceError error) => new([], error, 0, TimeSpan.Zero);

    /// <summary>A failure with <paramref name="code"/>.</summary>
    public static InferenceResult Failure(InferenceErrorCode code, string message) => new([], new InferenceError(code, message), 0, TimeSpan.Zero);
}
