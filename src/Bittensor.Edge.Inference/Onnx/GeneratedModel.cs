// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Inference.Onnx;

/// <summary>
/// A generated model: its ONNX bytes, its generator spec, and a plain C# forward pass over the same weights that
/// tests compare ONNX Runtime against (inference.md §6).
/// </summary>
/// <remarks>Immutable after construction; thread-safe. Holds the weights twice (bytes and layers), so drop it once loaded.</remarks>
public sealed class GeneratedModel
{
    private readonly IReadOnlyList<GeneratedLayer> _layers;

    internal GeneratedModel(string id, GeneratorSpec spec, byte[] bytes, int[] inputRowShape, int[] outputRowShape, IReadOnlyList<GeneratedLayer> layers)
    {
        Id = id;
        Spec = spec;
        Bytes = bytes;
        InputRowShape = inputRowShape;
        OutputRowShape = outputRowShape;
        _layers = layers;
        Sha256 = Core.Crypto.Sha256.Hash(bytes);
    }

    /// <summary>Model id (the graph name).</summary>
    public string Id { get; }

    /// <summary>How it was generated.</summary>
    public GeneratorSpec Spec { get; }

    /// <summary>The exact <c>.onnx</c> bytes. Do not modify.</summary>
    public byte[] Bytes { get; }

    /// <summary>SHA-256 of <see cref="Bytes"/>, the model's identity in the registry.</summary>
    public Hash256 Sha256 { get; }

    /// <summary>Shape of one input row <c>x</c> (every dimension after <c>N</c>).</summary>
    public IReadOnlyList<int> InputRowShape { get; }

    /// <summary>Shape of one output row <c>y</c>.</summary>
    public IReadOnlyList<int> OutputRowShape { get; }

    /// <summary>Weights and biases in all layers.</summary>
    public long ParameterCount => _layers.Sum(l => (long)l.Weights.Length + l.Bias.Length);

    /// <summary>Elements in one input row.</summary>
    public int InputRowLength => InputRowShape.Aggregate(1, (a, b) => a * b);

    /// <summary>Elements in one output row.</summary>
    public int OutputRowLength => OutputRowShape.Aggregate(1, (a, b) => a * b);

    /// <summary>The reference forward pass in float32 (sums in double), for <paramref name="rows"/> rows of input.</summary>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not <paramref name="rows"/> rows long.</exception>
    public float[] Forward(ReadOnlySpan<float> input, int rows)
    {
        if (input.Length != rows * InputRowLength)
        {
            ThrowHelper.ThrowArgument(nameof(input), $"Expected {rows * InputRowLength} values for {rows} rows, got {input.Length}.");
        }

        return Spec.Kind == GeneratorSpec.CnnKind ? ForwardCnn(input, rows) : ForwardMlp(input, rows);
    }

    private float[] ForwardMlp(ReadOnlySpan<float> input, int rows)
    {
        float[] current = input.ToArray();
        for (int l = 0; l < _layers.Count; l++)
        {
            current = Gemm(current, rows, _layers[l], relu: l < _layers.Count - 1);
        }

        return current;
    }

    private static float[] Gemm(float[] x, int rows, GeneratedLayer layer, bool relu)
    {
        int outDim = layer.Shape[0];
        int inDim = layer.Shape[1];
        float[] y = new float[rows * outDim];
        for (int r = 0; r < rows; r++)
        {
            for (int o = 0; o < outDim; o++)
            {
                double sum = layer.Bias[o];
                for (int i = 0; i < inDim; i++)
                {
                    sum += (double)x[(r * inDim) + i] * layer.Weights[(o * inDim) + i];
                }

                float value = (float)sum;
                y[(r * outDim) + o] = relu && value < 0 ? 0 : value;
            }
        }

        return y;
    }

    private float[] ForwardCnn(ReadOnlySpan<float> input, int rows)
    {
        GeneratedLayer conv1 = _layers[0], conv2 = _layers[1], fc = _layers[2];
        int cin = conv1.Shape[1], c1 = conv1.Shape[0], c2 = conv2.Shape[0], classes = fc.Shape[0];
        float[] output = new float[rows * classes];
        float[] image = new float[cin * 28 * 28];
        for (int r = 0; r < rows; r++)
        {
            input.Slice(r * image.Length, image.Length).CopyTo(image);
            float[] a1 = Conv3x3Relu(image, cin, 28, conv1);
            float[] p1 = MaxPool2(a1, c1, 28);
            float[] a2 = Conv3x3Relu(p1, c1, 14, conv2);
            float[] pooled = new float[c2];
            for (int c = 0; c < c2; c++)
            {
                double sum = 0;
                for (int i = 0; i < 14 * 14; i++)
                {
                    sum += a2[(c * 14 * 14) + i];
                }

                pooled[c] = (float)(sum / (14 * 14));
            }

            Gemm(pooled, 1, fc, relu: false).CopyTo(output, r * classes);
        }

        return output;
    }

    private static float[] Conv3x3Relu(float[] x, int cin, int size, GeneratedLayer layer)
    {
        int cout = layer.Shape[0];
        float[] y = new float[cout * size * size];
        for (int o = 0; o < cout; o++)
        {
            for (int h = 0; h < size; h++)
            {
                for (int w = 0; w < size; w++)
                {
                    double sum = layer.Bias[o];
                    for (int c = 0; c < cin; c++)
                    {
                        for (int kh = 0; kh < 3; kh++)
                        {
                            int ih = h + kh - 1;
                            if ((uint)ih >= (uint)size)
                            {
                                continue;
                            }

                            for (int kw = 0; kw < 3; kw++)
                            {
                                int iw = w + kw - 1;
                                if ((uint)iw >= (uint)size)
                                {
                                    continue;
                                }

                                sum += (double)x[(((c * size) + ih) * size) + iw] * layer.Weights[(((((o * cin) + c) * 3) + kh) * 3) + kw];
                            }
                        }
                    }

                    float value = (float)sum;
                    y[(((o * size) + h) * size) + w] = value < 0 ? 0 : value;
                }
            }
        }

        return y;
    }

    private static float[] MaxPool2(float[] x, int channels, int size)
    {
        int half = size / 2;
        float[] y = new float[channels * half * half];
        for (int c = 0; c < channels; c++)
        {
            for (int h = 0; h < half; h++)
            {
                for (int w = 0; w < half; w++)
                {
                    int b = (((c * size) + (2 * h)) * size) + (2 * w);
                    y[(((c * half) + h) * half) + w] = Math.Max(Math.Max(x[b], x[b + 1]), Math.Max(x[b + size], x[b + size + 1]));
                }
            }
        }

        return y;
    }
}
