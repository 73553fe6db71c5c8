// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Protocol.Dendrite;
using Bittensor.Edge.Protocol.Synapses;
using Bittensor.Edge.Storage.Proofs;

namespace Bittensor.Edge.Node.Validator;

/// <summary>How one challenge or retrieval audit went (specs/storage-proofs.md §6).</summary>
public enum ChallengeOutcome
{
    /// <summary>All proofs valid within the soft deadline: scores 1.</summary>
    Pass = 0,

    /// <summary>All proofs valid after the soft deadline but by the hard timeout: scores 0.5.</summary>
    Late,

    /// <summary>No usable answer by the hard timeout (late, non-200, unsigned, wrong item count): scores 0.</summary>
    Fail,

    /// <summary>A proof that fails verification, or a retrieval that differs: scores 0, resets the EMA, next k = 64.</summary>
    Forged,
}

/// <summary>The §6 scoring rules: deadlines, outcome scores and the success EMA.</summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class StorageScoring
{
    /// <summary>The soft deadline: a valid answer after it is <see cref="ChallengeOutcome.Late"/>.</summary>
    public static readonly TimeSpan SoftDeadline = TimeSpan.FromSeconds(2);

    /// <summary>The hard timeout: an answer after it is <see cref="ChallengeOutcome.Fail"/>, valid or not.</summary>
    public static readonly TimeSpan HardTimeout = TimeSpan.FromSeconds(6);

    /// <summary>The retrieval audit's timeout (protocol.md §3.7).</summary>
    public static readonly TimeSpan RetrievalTimeout = TimeSpan.FromSeconds(20);

    /// <summary>The EMA's α (FileTAO's 0.05; half-life ≈ 13.5 rounds).</summary>
    public const double Alpha = 0.05;

    /// <summary>The default challenge size.</summary>
    public const int DefaultK = 32;

    /// <summary>The challenge size after a forged proof.</summary>
    public const int PenaltyK = 64;

    /// <summary>The score <c>o</c> of an outcome.</summary>
    public static double Score(ChallengeOutcome outcome) => outcome switch
    {
        ChallengeOutcome.Pass => 1.0,
        ChallengeOutcome.Late => 0.5,
        _ => 0.0,
    };

    /// <summary><c>s ← (1 − α)·s + α·o</c>, except that a forged outcome resets the EMA to 0.</summary>
    public static double UpdateEma(double ema, ChallengeOutcome outcome) =>
        outcome == ChallengeOutcome.Forged ? 0.0 : ((1 - Alpha) * ema) + (Alpha * Score(outcome));

    /// <summary>
    /// Classifies a challenge answer against the items the validator drew, with <paramref name="elapsed"/> measured by
    /// the validator from sending to receiving the whole response. Only a signed 200 counts as an answer (the dendrite
    /// turns an unsigned one into 502); proofs are checked against the recorded roots, never roots from the proof.
    /// </summary>
    public static ChallengeOutcome Classify(ReadOnlySpan<SectorLeaf> expected, DendriteResult<StorageChallengeResponse> result, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (elapsed > HardTimeout || !result.IsSuccess || result.IsLocal || result.Response is null)
        {
            return ChallengeOutcome.Fail;
        }

        IReadOnlyList<LeafProof> wire = result.Response.Proofs;
        if (wire.Count != expected.Length)
        {
            return ChallengeOutcome.Fail;
        }

        SectorLeafProof?[] proofs = new SectorLeafProof?[wire.Count];
        for (int i = 0; i < proofs.Length; i++)
        {
            LeafProof? proof = wire[i];
            proofs[i] = proof is null ? null : new SectorLeafProof(proof.Root, proof.Leaf, proof.Data, proof.Path);
        }

        ChallengeVerdict verdict = ProofVerifier.VerifyChallenge(expected, proofs);
        if (!verdict.IsValid)
        {
            return ChallengeOutcome.Forged;
        }

        return elapsed <= SoftDeadline ? ChallengeOutcome.Pass : ChallengeOutcome.Late;
    }
}
