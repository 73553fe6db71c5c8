// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

namespace Bittensor.Edge.Consensus.Scenarios;

/// <summary>
/// A scenario file breaks a rule of <c>specs/consensus-scenario.md</c>. The message names the file, the field as a
/// JSON path (<c>epochs[3].events[1].uid</c>) and, inside <c>epochs</c>, the epoch index:
/// <c>FILE: PATH: reason (epoch I)</c>.
/// </summary>
public sealed class ScenarioException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The scenario file as named by the caller.</param>
    /// <param name="path">JSON path of the offending field (empty for the document itself).</param>
    /// <param name="epochIndex">Index in <c>epochs</c>, when the field is inside an epoch.</param>
    /// <param name="reason">What is wrong.</param>
    public ScenarioException(string file, string path, int? epochIndex, string reason)
        : base(Format(file, path, epochIndex, reason))
    {
        File = file;
        Path = path;
        EpochIndex = epochIndex;
        Reason = reason;
    }

    /// <summary>Creates the exception with an inner exception (for example a JSON syntax error).</summary>
    /// <param name="file">The scenario file as named by the caller.</param>
    /// <param name="path">JSON path of the offending field (empty for the document itself).</param>
    /// <param name="epochIndex">Index in <c>epochs</c>, when the field is inside an epoch.</param>
    /// <param name="reason">What is wrong.</param>
    /// <param name="inner">The cause.</param>
    public ScenarioException(string file, string path, int? epochIndex, string reason, Exception inner)
        : base(Format(file, path, epochIndex, reason), inner)
    {
        File = file;
        Path = path;
        EpochIndex = epochIndex;
        Reason = reason;
    }

    /// <summary>Creates the exception with a bare message.</summary>
    public ScenarioException()
        : this(string.Empty, string.Empty, null, "invalid scenario")
    {
    }

    /// <summary>Creates the exception with a bare message.</summary>
    /// <param name="message">The message.</param>
    public ScenarioException(string message)
        : this(string.Empty, string.Empty, null, message)
    {
    }

    /// <summary>Creates the exception with a bare message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ScenarioException(string message, Exception innerException)
        : this(string.Empty, string.Empty, null, message, innerException)
    {
    }

    /// <summary>The scenario file.</summary>
    public string File { get; }

    /// <summary>The JSON path of the offending field, for example <c>epochs[3].events[1].uid</c>.</summary>
    public string Path { get; }

    /// <summary>The epoch index when the field lies inside <c>epochs</c>.</summary>
    public int? EpochIndex { get; }

    /// <summary>What is wrong, without file, path or epoch.</summary>
    public string Reason { get; }

    private static string Format(string file, string path, int? epochIndex, string reason)
    {
        string where = path.Length == 0 ? reason : $"{path}: {reason}";
        string withEpoch = epochIndex is int e ? $"{where} (epoch {e})" : where;
        return file.Length == 0 ? withEpoch : $"{file}: {withEpoch}";
    }
}
