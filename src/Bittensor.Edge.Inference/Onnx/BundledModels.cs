// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Inference.Onnx;

/// <summary>
/// The repository's bundled models, generated in code from seeded weights (inference.md §6). The same id always gives
/// the same bytes; tests pin their SHA-256.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>id</term><description>graph</description></listheader>
/// <item><term><c>mlp-tiny-v1</c> (seed 1)</term><description>x[N,64] → Gemm 128 → Relu → Gemm 10 → y[N,10]</description></item>
/// <item><term><c>cnn-tiny-v1</c> (seed 2)</term><description>x[N,1,28,28] → Conv 8×3×3 pad 1 → Relu → MaxPool 2×2 s2 →
/// Conv 16×3×3 pad 1 → Relu → GlobalAveragePool → Flatten → Gemm 10 → y[N,10]</description></item>
/// <item><term><c>mlp-bench-v1</c> (seed 3)</term><description>x[N,512] → 2048 → Relu → 2048 → Relu → 512 → y (≈ 25 MB, never committed)</description></item>
/// <item><term><c>mlp-tiny-cheap-v1</c> (seed 1)</term><description>x[N,64] → Gemm 32 → Relu → Gemm 10 → y[N,10]: the same
/// signature as <c>mlp-tiny-v1</c> at a quarter of the cost; the "wrong model" a cheating miner might serve, for scoring tests</description></item>
/// </list>
/// <para>Weights: per layer, row-major <c>[out, in]</c> (Conv <c>[out, in, kh, kw]</c>) then the bias, each
/// <c>(2u − 1)·a</c> with <c>u</c> from <see cref="SplitMix64.NextUnit"/> and <c>a = 1/√fan_in</c> (computed in double,
/// rounded once to float32). Thread-safe (stateless).</para>
/// </remarks>
public static class BundledModels
{
    /// <summary>Id of the tiny MLP.</summary>
    public const string MlpTiny = "mlp-tiny-v1";

    /// <summary>Id of the tiny CNN.</summary>
    public const string CnnTiny = "cnn-tiny-v1";

    /// <summary>Id of the benchmark MLP.</summary>
    public const string MlpBench = "mlp-bench-v1";

    /// <summary>Id of the cheaper wrong variant of <see cref="MlpTiny"/>.</summary>
    public const string MlpTinyCheap = "mlp-tiny-cheap-v1";

    /// <summary>Every bundled id, in a fixed order.</summary>
    public static IReadOnlyList<string> Ids { get; } = [MlpTiny, CnnTiny, MlpBench, MlpTinyCheap];

    /// <summary>Whether <paramref name="id"/> names a bundled model.</summary>
    public static bool IsBundled(string id) => Ids.Contains(id, StringComparer.Ordinal);

    /// <summary>The generator spec of a bundled id.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not bundled.</exception>
    public static GeneratorSpec Spec(string id) => id switch
    {
        MlpTiny => new GeneratorSpec(GeneratorSpec.MlpKind, 1, [64, 128, 10]),
        CnnTiny => new GeneratorSpec(GeneratorSpec.CnnKind, 2, [1, 8, 16, 10]),
        MlpBench => new GeneratorSpec(GeneratorSpec.MlpKind, 3, [512, 2048, 2048, 512]),
        MlpTinyCheap => new GeneratorSpec(GeneratorSpec.MlpKind, 1, [64, 32, 10]),
        _ => throw new ArgumentException($"'{id}' is not a bundled model ({string.Join(", ", Ids)}).", nameof(id)),
    };

    /// <summary>Generates a bundled model.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not bundled.</exception>
    public static GeneratedModel Create(string id) => Generate(id, Spec(id));

    /// <summary>Generates a model named <paramref name="id"/> from <paramref name="spec"/>.</summary>
    /// <exception cref="ArgumentException">The spec's kind or dims are not valid.</exception>
    public static GeneratedModel Generate(string id, GeneratorSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            GeneratorSpec.MlpKind => GenerateMlp(id, spec),
            GeneratorSpec.CnnKind => GenerateCnn(id, spec),
            _ => throw new ArgumentException($"Generator kind '{spec.Kind}' is not known (mlp, cnn).", nameof(spec)),
        };
    }

    private static GeneratedModel GenerateMlp(string id, GeneratorSpec spec)
    {
        IReadOnlyList<int> dims = spec.Dims;
        if (dims.Count < 2 || dims.Any(d => d <= 0))
        {
            ThrowHelper.ThrowArgument(nameof(spec), "An mlp needs at least two positive dims.");
        }

        SplitMix64 rng = new((ulong)spec.Seed);
        List<GeneratedLayer> layers = [];
        List<OnnxNode> nodes = [];
        List<OnnxInitializer> initializers = [];
        string current = "x";
        for (int i = 1; i < dims.Count; i++)
        {
            int fanIn = dims[i - 1];
            int outDim = dims[i];
            float[] weights = Draw(ref rng, outDim * fanIn, fanIn);
            float[] bias = Draw(ref rng, outDim, fanIn);
            layers.Add(new GeneratedLayer(weights, bias, [outDim, fanIn]));
            initializers.Add(new OnnxInitializer($"W{i}", [outDim, fanIn], weights));
            initializers.Add(new OnnxInitializer($"B{i}", [outDim], bias));
            bool last = i == dims.Count - 1;
            string gemmOut = last ? "y" : $"h{i}";
            nodes.Add(new OnnxNode($"gemm{i}", "Gemm", [current, $"W{i}", $"B{i}"], [gemmOut], [OnnxAttr.OfInt("transB", 1)]));
            current = gemmOut;
            if (!last)
            {
                nodes.Add(new OnnxNode($"relu{i}", "Relu", [gemmOut], [$"a{i}"], []));
                current = $"a{i}";
            }
        }

        OnnxGraph graph = new(
            id,
            nodes,
            initializers,
            [new OnnxValueInfo("x", InferenceDType.Float32, [OnnxDim.Batch, dims[0]])],
            [new OnnxValueInfo("y", InferenceDType.Float32, [OnnxDim.Batch, dims[^1]])]);
        return new GeneratedModel(id, spec, ModelWriter.Write(graph), [dims[0]], [dims[^1]], layers);
    }

    private static GeneratedModel GenerateCnn(string id, GeneratorSpec spec)
    {
        // dims = [in channels, conv1 channels, conv2 channels, classes]; the image is 28×28.
        IReadOnlyList<int> dims = spec.Dims;
        if (dims.Count != 4 || dims.Any(d => d <= 0))
        {
            ThrowHelper.ThrowArgument(nameof(spec), "A cnn needs dims [in, conv1, conv2, classes].");
        }

        int cin = dims[0], c1 = dims[1], c2 = dims[2], classes = dims[3];
        SplitMix64 rng = new((ulong)spec.Seed);
        float[] w1 = Draw(ref rng, c1 * cin * 9, cin * 9);
        float[] b1 = Draw(ref rng, c1, cin * 9);
        float[] w2 = Draw(ref rng, c2 * c1 * 9, c1 * 9);
        float[] b2 = Draw(ref rng, c2, c1 * 9);
        float[] w3 = Draw(ref rng, classes * c2, c2);
        float[] b3 = Draw(ref rng, classes, c2);
        OnnxAttr[] convAttributes = [OnnxAttr.OfInts("kernel_shape", 3, 3), OnnxAttr.OfInts("pads", 1, 1, 1, 1)];
        OnnxGraph graph = new(
            id,
            [
                new OnnxNode("conv1", "Conv", ["x", "W1", "B1"], ["c1"], convAttributes),
                new OnnxNode("relu1", "Relu", ["c1"], ["r1"], []),
                new OnnxNode("pool1", "MaxPool", ["r1"], ["p1"], [OnnxAttr.OfInts("kernel_shape", 2, 2), OnnxAttr.OfInts("strides", 2, 2)]),
                new OnnxNode("conv2", "Conv", ["p1", "W2", "B2"], ["c2"], convAttributes),
                new OnnxNode("relu2", "Relu", ["c2"], ["r2"], []),
                new OnnxNode("gap", "GlobalAveragePool", ["r2"], ["g"], []),
                new OnnxNode("flatten", "Flatten", ["g"], ["f"], []),
                new OnnxNode("gemm3", "Gemm", ["f", "W3", "B3"], ["y"], [OnnxAttr.OfInt("transB", 1)]),
            ],
            [
                new OnnxInitializer("W1", [c1, cin, 3, 3], w1),
                new OnnxInitializer("B1", [c1], b1),
                new OnnxInitializer("W2", [c2, c1, 3, 3], w2),
                new OnnxInitializer("B2", [c2], b2),
                new OnnxInitializer("W3", [classes, c2], w3),
                new OnnxInitializer("B3", [classes], b3),
            ],
            [new OnnxValueInfo("x", InferenceDType.Float32, [OnnxDim.Batch, cin, 28, 28])],
            [new OnnxValueInfo("y", InferenceDType.Float32, [OnnxDim.Batch, classes])]);
        GeneratedLayer[] layers =
        [
            new(w1, b1, [c1, cin, 3, 3]),
            new(w2, b2, [c2, c1, 3, 3]),
            new(w3, b3, [classes, c2]),
        ];
        return new GeneratedModel(id, spec, ModelWriter.Write(graph), [cin, 28, 28], [classes], layers);
    }

    private static float[] Draw(ref SplitMix64 rng, int count, int fanIn)
    {
        double a = 1.0 / Math.Sqrt(fanIn);
        float[] values = new float[count];
        for (int i = 0; i < values.Length; i++)
        {
            double u = rng.NextUnit();
            values[i] = (float)(((2.0 * u) - 1.0) * a);
        }

        return values;
    }
}

/// <summary>The manifest's <c>generator</c> record: how a bundled model was made.</summary>
/// <param name="Kind"><see cref="MlpKind"/> or <see cref="CnnKind"/>.</param>
/// <param name="Seed">SplitMix64 seed of the weights.</param>
/// <param name="Dims">Layer widths (mlp), or <c>[in, conv1, conv2, classes]</c> (cnn).</param>
public sealed record GeneratorSpec(string Kind, long Seed, IReadOnlyList<int> Dims)
{
    /// <summary>Gemm/Relu stack.</summary>
    public const string MlpKind = "mlp";

    /// <summary>The two-conv network of <see cref="BundledModels.CnnTiny"/>.</summary>
    public const string CnnKind = "cnn";
}

/// <summary>One layer's weights, kept for the C# reference forward pass.</summary>
/// <param name="Weights">Row-major weights.</param>
/// <param name="Bias">Bias.</param>
/// <param name="Shape">Weight shape (<c>[out, in]</c> or <c>[out, in, kh, kw]</c>).</param>
public sealed record GeneratedLayer(float[] Weights, float[] Bias, int[] Shape);
