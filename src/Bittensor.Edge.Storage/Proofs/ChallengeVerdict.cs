// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Storage.Proofs;

/// <summary>The result of checking a challenge response: the first failure in item order, if any.</summary>
/// <param name="Status">Valid when every proof is valid; otherwise the first failure.</param>
/// <param name="FailedItem">Index of the first failing item; -1 when valid or when the count was wrong.</param>
public readonly record struct ChallengeVerdict(ProofStatus Status, int FailedItem)
{
    /// <summary>Every proof is valid.</summary>
    public bool IsValid => Status == ProofStatus.Valid;

    /// <summary>The verdict for a response whose proofs all verify.</summary>
    public static ChallengeVerdict Valid => new(ProofStatus.Valid, -1);
}
