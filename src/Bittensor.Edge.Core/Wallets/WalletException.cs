// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Core.Wallets;

/// <summary>Why a wallet operation failed; each code's message says what to do.</summary>
public enum WalletErrorCode
{
    /// <summary>No wallet directory or key file where one was expected.</summary>
    NotFound,

    /// <summary>A key file already exists; keys are never overwritten.</summary>
    AlreadyExists,

    /// <summary>A wallet or hotkey name that is not a plain file name.</summary>
    InvalidName,

    /// <summary>A key file that does not parse, or whose fields disagree with each other.</summary>
    KeyFileCorrupt,

    /// <summary>A secret key file readable or writable by group or others.</summary>
    InsecurePermissions,

    /// <summary>The password is wrong or the encrypted key file was altered; no further detail is given.</summary>
    WalletDecryptFailed,

    /// <summary>An encrypted key file was opened without a password.</summary>
    PasswordRequired,

    /// <summary>A new password is shorter than <see cref="WalletPassword.MinimumLength"/>.</summary>
    PasswordTooShort,

    /// <summary>A mnemonic with an unknown word, a wrong word count or a bad checksum.</summary>
    InvalidMnemonic,
}

/// <summary>A wallet or key-file failure with a <see cref="WalletErrorCode"/> and a message that says how to fix it.</summary>
public sealed class WalletException : Exception
{
    /// <summary>Creates the exception with a code and a message.</summary>
    public WalletException(WalletErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Creates the exception with a code, a message and the cause.</summary>
    public WalletException(WalletErrorCode code, string message, Exception innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>Creates an exception with code <see cref="WalletErrorCode.KeyFileCorrupt"/>.</summary>
    public WalletException()
        : this(WalletErrorCode.KeyFileCorrupt, "The key file is corrupt.")
    {
    }

    /// <summary>Creates an exception with code <see cref="WalletErrorCode.KeyFileCorrupt"/>.</summary>
    public WalletException(string message)
        : this(WalletErrorCode.KeyFileCorrupt, message)
    {
    }

    /// <summary>Creates an exception with code <see cref="WalletErrorCode.KeyFileCorrupt"/>.</summary>
    public WalletException(string message, Exception innerException)
        : this(WalletErrorCode.KeyFileCorrupt, message, innerException)
    {
    }

    /// <summary>What went wrong.</summary>
    public WalletErrorCode Code { get; }
}
