// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Inference.Sessions;

/// <summary>The inputs and outputs a loaded model serves, and the most rows one request may carry.</summary>
/// <param name="Inputs">Inputs, in the model's order.</param>
/// <param name="Outputs">Outputs, in the model's order.</param>
/// <param name="MaxBatch">The manifest's <c>maxBatch</c>: most rows per request, and the size of the pooled buffers.</param>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs, int MaxBatch)
{
    /// <summary>Whether every input and output has the batch dimension <c>N</c>.</summary>
    public bool Batchable => AllHaveBatchDim(Inputs) && AllHaveBatchDim(Outputs);

    /// <summary>The most rows one run may hold: <see cref="MaxBatch"/>, or 1 when the model has no batch dimension.</summary>
    public int MaxRows => Batchable ? MaxBatch : 1;

    /// <summary>
    /// Checks a request's inputs: exactly the model's input names, each valid for its <see cref="TensorSpec"/>, all
    /// with the same number of rows. Returns null and the row count, or the first error.
    /// </summary>
    public InferenceError? Validate(IReadOnlyList<NamedTensor> inputs, out int rows)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        rows = 0;
        if (inputs.Count != Inputs.Count)
        {
            return InferenceError.BadInput($"The model takes {Inputs.Count} input(s) ({string.Join(", ", Inputs.Select(i => i.Name))}), got {inputs.Count}.");
        }

        int maxRows = MaxRows;
        for (int i = 0; i < Inputs.Count; i++)
        {
            TensorSpec spec = Inputs[i];
            NamedTensor? tensor = Find(inputs, spec.Name);
            if (tensor is null)
            {
                return InferenceError.BadInput($"Input '{spec.Name}' is missing.");
            }

            InferenceError? error = spec.Validate(tensor, maxRows, out int n);
            if (error is not null)
            {
                return error;
            }

            if (i > 0 && n != rows)
            {
                return InferenceError.BadInput($"Every input must have the same rows: '{spec.Name}' has {n}, '{Inputs[0].Name}' has {rows}.");
            }

            rows = n;
        }

        return null;
    }

    /// <summary>The request tensor named <paramref name="name"/>, or null.</summary>
    internal static NamedTensor? Find(IReadOnlyList<NamedTensor> tensors, string name)
    {
        for (int i = 0; i < tensors.Count; i++)
        {
            if (tensors[i] is { } t && string.Equals(t.Name, name, StringComparison.Ordinal))
            {
                return t;
            }
        }

        return null;
    }

    // A loop, not LINQ: MaxRows (and so this) is read several times per request.
    private static bool AllHaveBatchDim(IReadOnlyList<TensorSpec> specs)
    {
        for (int i = 0; i < specs.Count; i++)
        {
            if (!specs[i].HasBatchDim)
            {
                return false;
            }
        }

        return true;
    }
}
