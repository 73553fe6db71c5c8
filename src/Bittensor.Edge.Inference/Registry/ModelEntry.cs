// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json.Serialization;
using Bittensor.Edge.Inference.Sessions;

namespace Bittensor.Edge.Inference.Registry;

/// <summary>
/// One signed model entry of <c>registry.json</c> (inference.md §1). A model is its <see cref="Id"/> and the SHA-256 of
/// its exact bytes; an id never changes meaning. <see cref="Sig"/> is Ed25519 by <see cref="Signer"/> over
/// <c>"bte/model/v1" ‖</c> the entry without <c>sig</c> in RFC 8785 canonical JSON (<see cref="ModelRegistry.Sign"/>).
/// </summary>
/// <remarks>Immutable; thread-safe.</remarks>
public sealed record ModelEntry
{
    /// <summary>Model id, e.g. <c>mlp-tiny-v1</c>.</summary>
    public required string Id { get; init; }

    /// <summary>SHA-256 of the <c>.onnx</c> bytes, 64 lowercase hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Size of the <c>.onnx</c> file in bytes.</summary>
    public required long Bytes { get; init; }

    /// <summary>ModelProto.ir_version.</summary>
    public long IrVersion { get; init; }

    /// <summary>Default-domain opset.</summary>
    public long Opset { get; init; }

    /// <summary>Inputs, in model order.</summary>
    public required IReadOnlyList<TensorEntry> Inputs { get; init; }

    /// <summary>Outputs, in model order.</summary>
    public required IReadOnlyList<TensorEntry> Outputs { get; init; }

    /// <summary>Most rows per request (1 for a model without the batch dimension).</summary>
    public int MaxBatch { get; init; } = 1;

    /// <summary>RAM the gateway budgets for the loaded model.</summary>
    public int MinRamMiB { get; init; } = 32;

    /// <summary>Request timeout in seconds.</summary>
    public int TimeoutS { get; init; } = 12;

    /// <summary>Latency at which a correct answer scores 1 (inference.md §5).</summary>
    public double LatencyTargetMs { get; init; } = 50;

    /// <summary>Per input name, the domain validators draw inputs from.</summary>
    public required IReadOnlyDictionary<string, InputDomain> InputDomain { get; init; }

    /// <summary>Float comparison tolerance.</summary>
    public required Tolerance Tolerance { get; init; }

    /// <summary>The looser tolerance under TensorRT FP16, or null when FP16 engines are forbidden.</summary>
    public Tolerance? Fp16 { get; init; }

    /// <summary>The CPU self-test recorded by the entry's maker.</summary>
    public required SelfTestEntry SelfTest { get; init; }

    /// <summary>Boards allowed to serve the model.</summary>
    public required IReadOnlyList<string> Boards { get; init; }

    /// <summary>How a bundled model was generated; null for others.</summary>
    public GeneratorEntry? Generator { get; init; }

    /// <summary>The registry key (SS58) that signed the entry.</summary>
    public string? Signer { get; init; }

    /// <summary>Base64 of the 64-byte Ed25519 signature.</summary>
    public string? Sig { get; init; }

    /// <summary>The serving signature of this entry (inputs, outputs, max batch).</summary>
    /// <exception cref="FormatException">A dtype or shape is not servable.</exception>
    public ModelSignature ToSignature() =>
        new([.. Inputs.Select(t => t.ToSpec())], [.. Outputs.Select(t => t.ToSpec())], Math.Max(1, MaxBatch));
}

/// <summary>An input or output: <c>{name, dtype, shape}</c>, where a shape element is a number or <c>"N"</c>.</summary>
/// <param name="Name">Tensor name.</param>
/// <param name="DType">dtype name (<c>float32</c> ...).</param>
/// <param name="Shape">Dimensions as strings (<c>"N"</c> or decimal), written as JSON strings or numbers.</param>
public sealed record TensorEntry(string Name, [property: JsonPropertyName("dtype")] string DType, [property: JsonConverter(typeof(ShapeJsonConverter))] IReadOnlyList<string> Shape)
{
    /// <summary>The batch dimension's name.</summary>
    public const string BatchDim = "N";

    /// <summary>The serving spec: dimension 0 <c>"N"</c> (or fixed 1), the rest fixed.</summary>
    /// <exception cref="FormatException">Unknown dtype, a symbolic dimension other than dimension 0, or dimension 0 fixed at other than 1.</exception>
    public TensorSpec ToSpec()
    {
        InferenceDType dtype = InferenceDTypes.Parse(DType);
        if (Shape.Count == 0)
        {
            ThrowHelper.ThrowFormat($"Tensor '{Name}' is a scalar; served tensors have the batch dimension first.");
        }

        bool batch = Shape[0] == BatchDim;
        if (!batch && Shape[0] != "1")
        {
            ThrowHelper.ThrowFormat($"Tensor '{Name}' has dimension 0 = {Shape[0]}; it must be \"N\" (or 1 for a batch-1 model).");
        }

        long[] row = new long[Shape.Count - 1];
        for (int i = 1; i < Shape.Count; i++)
        {
            if (!long.TryParse(Shape[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out row[i - 1]) || row[i - 1] < 1)
            {
                ThrowHelper.ThrowFormat($"Tensor '{Name}' dimension {i} is '{Shape[i]}'; only dimension 0 may be symbolic.");
            }
        }

        return new TensorSpec(Name, dtype, row, batch);
    }
}

/// <summary>An input's value domain: <c>uniform {min,max}</c> (floats), <c>intRange {min,max}</c> (integers) or <c>bool {}</c>.</summary>
/// <param name="Kind"><c>uniform</c>, <c>intRange</c> or <c>bool</c>.</param>
/// <param name="Min">Lower bound (absent for bool).</param>
/// <param name="Max">Upper bound (absent for bool).</param>
public sealed record InputDomain(string Kind, double? Min = null, double? Max = null)
{
    /// <summary>Kind for float32/float16.</summary>
    public const string Uniform = "uniform";

    /// <summary>Kind for int32/int64/uint8.</summary>
    public const string IntRange = "intRange";

    /// <summary>Kind for bool.</summary>
    public const string BoolKind = "bool";

    /// <summary>The default domain of <c>models add</c> for a dtype (§1).</summary>
    public static InputDomain DefaultFor(InferenceDType dtype) => dtype switch
    {
        InferenceDType.Float32 or InferenceDType.Float16 => new(Uniform, -1.0, 1.0),
        InferenceDType.Int32 or InferenceDType.Int64 => new(IntRange, 0, 127),
        InferenceDType.UInt8 => new(IntRange, 0, 255),
        _ => new(BoolKind),
    };
}

/// <summary><c>{abs, rel}</c>: an element passes when <c>|m − r| ≤ abs + rel·|r|</c>.</summary>
/// <param name="Abs">Absolute part.</param>
/// <param name="Rel">Relative part.</param>
public sealed record Tolerance(double Abs, double Rel)
{
    /// <summary>The default of <c>models add</c>: abs 1e-4, rel 1e-3.</summary>
    public static Tolerance Default { get; } = new(1e-4, 1e-3);
}

/// <summary>The self-test record: seed, batch, SHA-256 of the packed outputs on the maker's CPU, and the first 16 output values.</summary>
/// <param name="Seed">SplitMix64 seed of the input.</param>
/// <param name="Batch">Rows.</param>
/// <param name="OutputSha256">SHA-256 of the packed output tensors, in output order (a record; not the pass test).</param>
/// <param name="ExpectedPrefix">The first 16 values of the packed outputs, compared under tolerance.</param>
public sealed record SelfTestEntry(long Seed, int Batch, string OutputSha256, IReadOnlyList<double> ExpectedPrefix);

/// <summary>The <c>generator</c> record of a bundled model.</summary>
/// <param name="Kind">Generator kind (<c>mlp</c>, <c>cnn</c>).</param>
/// <param name="Seed">Weight seed.</param>
/// <param name="Dims">Layer dims.</param>
public sealed record GeneratorEntry(string Kind, long Seed, IReadOnlyList<int> Dims);
