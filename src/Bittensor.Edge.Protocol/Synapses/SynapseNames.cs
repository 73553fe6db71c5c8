// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Protocol.Synapses;

/// <summary>The synapse names of specs/protocol.md §4, which are also the routes (<c>POST /{SynapseName}</c>).</summary>
public static class SynapseNames
{
    /// <summary>Store one 4 MiB sector.</summary>
    public const string StoreChunk = "StoreChunk";

    /// <summary>Read back one sector.</summary>
    public const string RetrieveChunk = "RetrieveChunk";

    /// <summary>Prove possession of sampled leaves.</summary>
    public const string StorageChallenge = "StorageChallenge";

    /// <summary>Run a hash-pinned ONNX model.</summary>
    public const string Inference = "Inference";

    /// <summary>Liveness and capacity summary; the one synapse open to every registered hotkey.</summary>
    public const string Health = "Health";

    /// <summary>Whether <paramref name="name"/> is a data synapse (everything except Health), which needs a validator permit (§3.3).</summary>
    public static bool IsDataSynapse(string name) => !string.Equals(name, Health, StringComparison.Ordinal);

    /// <summary>
    /// Whether <paramref name="name"/> can be a synapse name: 1 to 64 ASCII letters, digits or underscores. Header and route
    /// values outside that set are malformed (400) rather than unknown.
    /// </summary>
    public static bool IsWellFormed(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > 64)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
