// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using Bittensor.Edge.Core;
using Bittensor.Edge.Inference.Sessions;
using Bittensor.Edge.Inference.Wire;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Inference.Batching;

/// <summary>
/// The dynamic batcher of one loaded model (inference.md §4). Requests queue (at most 4 × maxBatch rows; beyond that
/// <see cref="InferenceErrorCode.Busy"/>); a batch runs when it holds the effective max batch rows or when
/// <see cref="BatchSettings.MaxDelay"/> has passed on the <see cref="IClock"/> since its first request arrived. Requests
/// past their deadline are answered <see cref="InferenceErrorCode.DeadlineExceeded"/> and never run. A request with
/// more rows than the effective max batch runs alone. Results are split back by rows.
/// </summary>
/// <remarks>
/// <para>Inputs are copied (or, when <see cref="NamedTensor.IsBase64"/>, base64-decoded) straight into the session's
/// pooled buffers when their batch runs, then their values are checked; a request with NaN/±Inf floats or bools other
/// than 0/1 is answered <see cref="InferenceErrorCode.BadInput"/> and the next request's rows take its place. A wire
/// request (<see cref="SubmitWire"/>) gets its response body encoded from the pooled output buffer; others get output
/// arrays of their own.</para>
/// </remarks>
/// <remarks>
/// <para>Thread-safe: <see cref="SubmitAsync"/> may be called from any thread. One run happens at a time, on the
/// batcher's runner task, or inline on the submitting thread when <see cref="BatchSettings.MaxDelay"/> is zero and the
/// batcher is idle (no queue, no run), which saves two thread hops on the request path.</para>
/// <para>The batcher owns neither the session nor the clock. <see cref="DisposeAsync"/> stops the runner, answers
/// queued requests <see cref="InferenceErrorCode.ModelNotReady"/>, and waits for a run in flight; dispose the session
/// after it.</para>
/// </remarks>
public sealed class ModelBatcher : IAsyncDisposable
{
    private readonly ModelSession _session;
    private readonly IClock _clock;
    private readonly ILogger _logger;
    private readonly int _maxRows;
    private readonly int _queueRowLimit;
    private readonly TimeSpan _maxDelay;
    private readonly Lock _lock = new();
    private readonly List<Pending> _queue = [];
    private readonly SemaphoreSlim _ready = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _runner;
    private readonly List<Pending> _inline = new(1);
    private readonly Pending _inlinePending = new();
    private readonly WireResponseWriter _response;
    private TaskCompletionSource? _idle;
    private int _queuedRows;
    private bool _running;
    private bool _disposed;
    private long _batches;

    /// <summary>Starts a batcher over <paramref name="session"/>; its runner task starts at once.</summary>
    public ModelBatcher(ModelSession session, BatchSettings settings, IClock clock, ILogger logger)
        : this(session, settings, clock, logger, startRunner: true)
    {
    }

    /// <summary>A batcher whose runner tests may leave off, then drive with <see cref="PumpOnce"/> on their own thread.</summary>
    internal ModelBatcher(ModelSession session, BatchSettings settings, IClock clock, ILogger logger, bool startRunner)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        if (settings.BoardMaxBatch < 1 || settings.MaxDelay < TimeSpan.Zero)
        {
            ThrowHelper.ThrowArgument(nameof(settings), "BoardMaxBatch must be at least 1 and MaxDelay not negative.");
        }

        _session = session;
        _clock = clock;
        _logger = logger;
        _maxRows = Math.Min(settings.BoardMaxBatch, session.Signature.MaxRows);
        _queueRowLimit = BatchSettings.QueueFactor * session.Signature.MaxRows;
        _maxDelay = settings.MaxDelay;
        _response = new WireResponseWriter(session.Signature);
        _runner = startRunner ? Task.Run(RunLoopAsync) : Task.CompletedTask;
    }

    /// <summary>The effective max batch: rows per run.</summary>
    public int EffectiveMaxBatch => _maxRows;

    /// <summary>Rows waiting to run.</summary>
    public int QueuedRows
    {
        get
        {
            lock (_lock)
            {
                return _queuedRows;
            }
        }
    }

    /// <summary>Session runs so far.</summary>
    public long BatchesRun => Interlocked.Read(ref _batches);

    /// <summary>
    /// Queues a request whose inputs the caller has validated (<see cref="ModelSignature.Validate"/>) for
    /// <paramref name="rows"/> rows, to be answered before <paramref name="deadline"/> (a <see cref="IClock.Elapsed"/>
    /// reading) or not at all. The returned task never faults: failures are <see cref="InferenceResult"/> values.
    /// </summary>
    public Task<InferenceResult> SubmitAsync(IReadOnlyList<NamedTensor> inputs, int rows, TimeSpan deadline) =>
        Submit(inputs, rows, deadline, wire: false).AsTask();

    /// <summary>
    /// As <see cref="SubmitAsync"/>, but the success carries the <c>Inference</c> response body
    /// (<see cref="InferenceResult.ResponseBody"/>), encoded from the pooled output buffer, instead of output arrays.
    /// </summary>
    /// <remarks>A <see cref="ValueTask{TResult}"/>: run inline (maxDelay 0, batcher idle), the request allocates no task.</remarks>
    public ValueTask<InferenceResult> SubmitWire(IReadOnlyList<NamedTensor> inputs, int rows, TimeSpan deadline) =>
        Submit(inputs, rows, deadline, wire: true);

    private ValueTask<InferenceResult> Submit(IReadOnlyList<NamedTensor> inputs, int rows, TimeSpan deadline, bool wire)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (rows < 1 || rows > _session.MaxRows)
        {
            ThrowHelper.ThrowArgumentOutOfRange(nameof(rows), rows, "Validate the request first.");
        }

        TimeSpan now = _clock.Elapsed;
        if (deadline <= now)
        {
            return ValueTask.FromResult(InferenceResult.Failure(InferenceErrorCode.DeadlineExceeded, "The request's deadline passed before it ran."));
        }

        Pending? pending = null;
        Task<InferenceResult>? queued = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return ValueTask.FromResult(InferenceResult.Failure(InferenceErrorCode.ModelNotReady, $"Model {_session.ModelId} is unloading."));
            }

            if (_queuedRows + rows > _queueRowLimit)
            {
                return ValueTask.FromResult(InferenceResult.Failure(InferenceErrorCode.Busy, $"Model {_session.ModelId} has {_queuedRows} rows queued (limit {_queueRowLimit})."));
            }

            if (_maxDelay == TimeSpan.Zero && !_running && _queue.Count == 0)
            {
                // One inline run at a time (_running), so one reusable record serves them all.
                _running = true;
                pending = _inlinePending.Reset(inputs, rows, deadline, now, wire);
            }
            else
            {
                pending = new Pending().Reset(inputs, rows, deadline, now, wire);
                queued = pending.Queue();
                _queue.Add(pending);
                _queuedRows += rows;
                if (_queue.Count == 1 && _maxDelay > TimeSpan.Zero)
                {
                    ArmTimer(_maxDelay);
                }
            }
        }

        if (queued is not null)
        {
            _ready.Release();
            return new ValueTask<InferenceResult>(queued);
        }

        // Idle with maxDelay 0: run on the caller's thread, without a queue hop or a completion source.
        InferenceResult result;
        _inline.Add(pending);
        try
        {
            Execute(_inline);
        }
        finally
        {
            _inline.Clear();
            result = pending.Result!;
            pending.Reset([], 0, default, default, wire: false); // drop the request's inputs before the next one
            Finish();
        }

        return new ValueTask<InferenceResult>(result);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        List<Pending> orphans;
        Task? idle = null;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            orphans = [.. _queue];
            _queue.Clear();
            _queuedRows = 0;
            if (_running)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                idle = _idle.Task;
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        foreach (Pending orphan in orphans)
        {
            orphan.Complete(InferenceResult.Failure(InferenceErrorCode.ModelNotReady, $"Model {_session.ModelId} was unloaded."));
        }

        try
        {
            await _runner.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        if (idle is not null)
        {
            await idle.ConfigureAwait(false);
        }

        _stop.Dispose();
        _ready.Dispose();
    }

    private void ArmTimer(TimeSpan delay)
    {
        _ = _clock.DelayAsync(delay, _stop.Token).ContinueWith(
            static (task, state) =>
            {
                if (task.IsCompletedSuccessfully)
                {
                    ((ModelBatcher)state!).Signal();
                }
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "The semaphore may be disposed while a late timer fires; nothing is left to wake.")]
    private void Signal()
    {
        try
        {
            _ready.Release();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task RunLoopAsync()
    {
        CancellationToken token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            await _ready.WaitAsync(token).ConfigureAwait(false);
            List<Pending>? batch = TryTakeBatch();
            if (batch is not null)
            {
                Execute(batch);
                Finish();
            }
        }
    }

    /// <summary>Takes and runs one batch if one is due (expired requests are answered either way); for tests without a runner.</summary>
    internal bool PumpOnce()
    {
        List<Pending>? batch = TryTakeBatch();
        if (batch is null)
        {
            return false;
        }

        Execute(batch);
        Finish();
        return true;
    }

    /// <summary>Under the lock: drops expired requests; takes a batch when it is full or its first request has waited maxDelay.</summary>
    private List<Pending>? TryTakeBatch()
    {
        List<Pending>? expired = null;
        List<Pending>? batch = null;
        lock (_lock)
        {
            if (_running || _disposed)
            {
                return null;
            }

            TimeSpan now = _clock.Elapsed;
            for (int i = _queue.Count - 1; i >= 0; i--)
            {
                if (_queue[i].Deadline <= now)
                {
                    (expired ??= []).Add(_queue[i]);
                    _queuedRows -= _queue[i].Rows;
                    _queue.RemoveAt(i);
                }
            }

            if (_queue.Count > 0 && (_queuedRows >= _maxRows || now - _queue[0].Arrival >= _maxDelay))
            {
                batch = [_queue[0]];
                int rows = _queue[0].Rows;
                int take = 1;
                while (take < _queue.Count && rows + _queue[take].Rows <= _maxRows)
                {
                    rows += _queue[take].Rows;
                    batch.Add(_queue[take]);
                    take++;
                }

                _queue.RemoveRange(0, take);
                _queuedRows -= rows;
                _running = true;
                if (_queue.Count > 0)
                {
                    TimeSpan left = _queue[0].Arrival + _maxDelay - now;
                    if (left > TimeSpan.Zero)
                    {
                        ArmTimer(left);
                    }
                }
            }
            else if (_queue.Count > 0)
            {
                // Not due yet. A clock's timer may fire a little before its own Elapsed reading says the delay has
                // passed (SystemClock's timers tick in whole milliseconds); without a new timer the queue would wait
                // for the next request, or forever.
                ArmTimer(_queue[0].Arrival + _maxDelay - now);
            }
        }

        if (expired is not null)
        {
            foreach (Pending p in expired)
            {
                p.Complete(InferenceResult.Failure(InferenceErrorCode.DeadlineExceeded, "The request's deadline passed before it ran."));
            }
        }

        return batch;
    }

    private void Finish()
    {
        TaskCompletionSource? idle;
        bool more;
        lock (_lock)
        {
            _running = false;
            idle = _idle;
            more = _queue.Count > 0;
        }

        idle?.TrySetResult();
        if (more)
        {
            Signal();
        }
    }

    [SuppressMessage("Design", "CA1031:Do not catch general exception types", Justification = "A failed run answers its requests and the host keeps serving; the exception is logged.")]
    private void Execute(List<Pending> batch)
    {
        int capacity = 0;
        foreach (Pending p in batch)
        {
            capacity += p.Rows;
        }

        ModelSignature signature = _session.Signature;
        int rows = 0;
        try
        {
            // Each request's inputs go to the next free rows; a request refused here leaves them to the next one.
            foreach (Pending p in batch)
            {
                InferenceError? error = Fill(signature, p, rows, capacity);
                if (error is null)
                {
                    p.Offset = rows;
                    rows += p.Rows;
                }
                else
                {
                    p.Offset = -1;
                    p.Complete(InferenceResult.Failure(error));
                }
            }

            if (rows == 0)
            {
                return;
            }

            TimeSpan start = _clock.Elapsed;
            _session.Run(rows);
            TimeSpan compute = _clock.Elapsed - start;
            Interlocked.Increment(ref _batches);
            foreach (Pending p in batch)
            {
                if (p.Offset < 0)
                {
                    continue;
                }

                p.Complete(p.Wire ? EncodeWire(p, rows, compute) : CopyOutputs(signature, p, rows, compute));
            }
        }
        catch (Exception ex)
        {
            Log.BatchFailed(_logger, ex, _session.ModelId, rows);
            foreach (Pending p in batch)
            {
                p.Complete(InferenceResult.Failure(InferenceErrorCode.ModelNotReady, $"The run failed: {ex.Message}"));
            }
        }
    }

    private InferenceError? Fill(ModelSignature signature, Pending p, int offset, int capacity)
    {
        for (int i = 0; i < signature.Inputs.Count; i++)
        {
            TensorSpec spec = signature.Inputs[i];
            NamedTensor tensor = ModelSignature.Find(p.Inputs, spec.Name)!;
            int rowBytes = _session.InputRowBytes(i);
            Span<byte> destination = _session.InputBuffer(i, capacity).Slice(offset * rowBytes, p.Rows * rowBytes);
            if (!tensor.TryCopyElementsTo(destination))
            {
                return InferenceError.BadInput($"inputs['{spec.Name}'].data is not valid base64.");
            }

            InferenceError? error = spec.ValidateValues(destination);
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private InferenceResult EncodeWire(Pending p, int batchRows, TimeSpan compute)
    {
        byte[] body = _response.Write(_session, batchRows, p.Offset, p.Rows, (ulong)compute.TotalMicroseconds, out int length);
        return InferenceResult.SuccessWire(body, length, batchRows, compute);
    }

    private InferenceResult CopyOutputs(ModelSignature signature, Pending p, int batchRows, TimeSpan compute)
    {
        NamedTensor[] outputs = new NamedTensor[signature.Outputs.Count];
        for (int o = 0; o < outputs.Length; o++)
        {
            TensorSpec spec = signature.Outputs[o];
            int rowBytes = _session.OutputRowBytes(o);
            byte[] data = _session.OutputBuffer(o, batchRows).Slice(p.Offset * rowBytes, p.Rows * rowBytes).ToArray();
            outputs[o] = new NamedTensor(spec.Name, spec.DType, spec.ShapeFor(p.Rows), data);
        }

        return InferenceResult.Success(outputs, batchRows, compute);
    }

    private sealed class Pending
    {
        private TaskCompletionSource<InferenceResult>? _completion;

        public IReadOnlyList<NamedTensor> Inputs { get; private set; } = [];

        public int Rows { get; private set; }

        public TimeSpan Deadline { get; private set; }

        public TimeSpan Arrival { get; private set; }

        public bool Wire { get; private set; }

        /// <summary>Sets the request this record stands for (a fresh record, or the batcher's inline one between runs).</summary>
        public Pending Reset(IReadOnlyList<NamedTensor> inputs, int rows, TimeSpan deadline, TimeSpan arrival, bool wire)
        {
            Inputs = inputs;
            Rows = rows;
            Deadline = deadline;
            Arrival = arrival;
            Wire = wire;
            Offset = 0;
            Result = null;
            _completion = null;
            return this;
        }

        /// <summary>The first row of this request in its batch's buffers, or −1 once it was refused.</summary>
        public int Offset { get; set; }

        /// <summary>The outcome of a request run inline (without a completion source).</summary>
        public InferenceResult? Result { get; private set; }

        /// <summary>Creates the completion source of a queued request; call before the runner can see it.</summary>
        public Task<InferenceResult> Queue()
        {
            _completion = new TaskCompletionSource<InferenceResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _completion.Task;
        }

        /// <summary>Answers the request; the first answer wins.</summary>
        public void Complete(InferenceResult result)
        {
            if (_completion is not null)
            {
                _completion.TrySetResult(result);
            }
            else
            {
                Result ??= result;
            }
        }
    }
}
