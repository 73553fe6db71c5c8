// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Chain.Execution;

/// <summary>
/// The named result of dispatching a call (specs/protocol.md §2.5), recorded per transaction. Anything but
/// <see cref="None"/> means the call changed nothing (its nonce and fee still apply, §2.4).
/// </summary>
public enum DispatchError
{
    /// <summary>The call succeeded.</summary>
    None = 0,

    /// <summary>The signer's free balance does not cover the amount (plus fee).</summary>
    InsufficientBalance,

    /// <summary>Every netuid 1..32 is taken.</summary>
    TooManySubnets,

    /// <summary>The hotkey belongs to a different coldkey.</summary>
    HotkeyOwnedByOther,

    /// <summary>No subnet has that netuid.</summary>
    SubnetNotFound,

    /// <summary>The subnet's <c>registration_allowed</c> is 0.</summary>
    RegistrationDisabled,

    /// <summary>The hotkey already holds a uid on the subnet.</summary>
    AlreadyRegistered,

    /// <summary>The subnet already had its registration this block.</summary>
    TooManyRegistrationsThisBlock,

    /// <summary>The subnet is full and every candidate uid is immune (nothing is burned).</summary>
    NoNeuronToPrune,

    /// <summary>The hotkey holds no uid on the subnet.</summary>
    NotRegistered,

    /// <summary>The ip type is not 4 or 6.</summary>
    InvalidIpType,

    /// <summary>A loopback address (unless the genesis allows it) or an IPv4 value above u32.</summary>
    InvalidIp,

    /// <summary>Port 0.</summary>
    InvalidPort,

    /// <summary>Fewer than <c>serving_rate_limit</c> blocks since the last serve.</summary>
    ServingRateLimit,

    /// <summary>The stake entry holds less than the amount.</summary>
    InsufficientStake,

    /// <summary>Uids and weights differ in length.</summary>
    LengthMismatch,

    /// <summary>The subnet takes weights only through commit-reveal.</summary>
    CommitRevealEnabled,

    /// <summary>The version key is below the subnet's <c>weights_version_key</c>.</summary>
    IncorrectVersionKey,

    /// <summary>Fewer than <c>weights_set_rate_limit</c> blocks since the last weights or commit.</summary>
    SettingWeightsTooFast,

    /// <summary>Only validators with a permit set weights on others.</summary>
    NoValidatorPermit,

    /// <summary>A uid is not below n.</summary>
    UidOutOfRange,

    /// <summary>A uid appears twice.</summary>
    DuplicateUids,

    /// <summary>Fewer weights than <c>min(min_allowed_weights, n)</c>.</summary>
    TooFewWeights,

    /// <summary>A weight's share exceeds <c>max_weight_limit</c>.</summary>
    MaxWeightExceeded,

    /// <summary>Commits need commit-reveal enabled on the subnet.</summary>
    CommitRevealDisabled,

    /// <summary>The hotkey already has 10 unrevealed commits on the subnet.</summary>
    TooManyUnrevealedCommits,

    /// <summary>The reveal window of the matching commit has not opened.</summary>
    RevealTooEarly,

    /// <summary>No unexpired commit of the hotkey matches the reveal.</summary>
    NoMatchingCommit,

    /// <summary>The signer does not own the subnet.</summary>
    NotSubnetOwner,

    /// <summary>The hyperparameter id is not one of §2.3.</summary>
    UnknownParameter,

    /// <summary>The value lies outside the hyperparameter's bounds.</summary>
    InvalidParameterValue,

    /// <summary>The genesis names no sudo key.</summary>
    SudoDisabled,

    /// <summary>The signer is not the genesis sudo key.</summary>
    NotSudo,
}

/// <summary>
/// Why a transaction cannot be applied at all: a block holding it is invalid, and a producer leaves it out.
/// </summary>
public enum TransactionValidity
{
    /// <summary>The transaction applies (its call may still fail with a <see cref="DispatchError"/>).</summary>
    Valid = 0,

    /// <summary>The signature does not verify for this network.</summary>
    BadSignature,

    /// <summary>The nonce is below the account nonce.</summary>
    StaleNonce,

    /// <summary>The nonce is above the account nonce.</summary>
    FutureNonce,

    /// <summary>The block is past <c>valid_until</c>.</summary>
    Expired,

    /// <summary>A paid call whose signer cannot pay the fee.</summary>
    CannotPayFee,

    /// <summary>A free call whose signer holds no uid anywhere.</summary>
    NotRegisteredHotkey,
}

/// <summary>The outcome of applying one transaction.</summary>
/// <param name="Validity">Whether it applied; if not, nothing changed.</param>
/// <param name="Error">The dispatch result when it applied.</param>
public readonly record struct ApplyOutcome(TransactionValidity Validity, DispatchError Error)
{
    /// <summary>Applied and the call succeeded.</summary>
    public bool IsSuccess => Validity == TransactionValidity.Valid && Error == DispatchError.None;
}
