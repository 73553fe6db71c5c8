// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Storage.Serving;

/// <summary>
/// Which validators stored each sector, so a challenge naming a root the caller never stored is refused
/// (storage-proofs.md §4: 422 <c>BadChallenge</c>). Kept in memory and appended to a text file, one
/// <c>{root hex} {validator hotkey hex}\n</c> line per (root, validator) pair, fsynced per line, so it survives restarts.
/// </summary>
/// <remarks>
/// A torn last line (a crash mid-append) is skipped on load; the sector then answers <c>BadChallenge</c> to that
/// validator until it stores the sector again. Thread-safe; <see cref="Dispose"/> closes the file.
/// </remarks>
public sealed class SectorOwnerLog : IDisposable
{
    private const int LineChars = (2 * 32) + 1 + (2 * 32);

    private readonly Lock _lock = new();
    private readonly Dictionary<Hash256, List<PublicKey>> _owners = [];
    private readonly FileStream? _file;

    /// <summary>A log kept only in memory (tests, and the gateway until it persists placements).</summary>
    public SectorOwnerLog()
    {
    }

    private SectorOwnerLog(FileStream file)
    {
        _file = file;
    }

    /// <summary>Opens (creating if needed) the log at <paramref name="path"/> and loads its pairs.</summary>
    public static SectorOwnerLog Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FileStream file = new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        SectorOwnerLog log = new(file);
        using (StreamReader reader = new(file, Encoding.ASCII, detectEncodingFromByteOrderMarks: false, leaveOpen: true))
        {
            while (reader.ReadLine() is string line)
            {
                if (line.Length == LineChars && line[64] == ' '
                    && Hash256.TryParse(line.AsSpan(0, 64), out Hash256 root)
                    && TryParseKey(line.AsSpan(65), out PublicKey owner))
                {
                    log.AddCore(root, owner);
                }
            }
        }

        file.Seek(0, SeekOrigin.End);
        return log;
    }

    /// <summary>Records that <paramref name="validator"/> stored <paramref name="root"/>; durable on return when file-backed.</summary>
    public void Add(in Hash256 root, in PublicKey validator)
    {
        lock (_lock)
        {
            if (!AddCore(root, validator) || _file is null)
            {
                return;
            }

            string line = $"{Convert.ToHexStringLower(root.Bytes)} {Convert.ToHexStringLower(validator.Bytes)}\n";
            _file.Write(Encoding.ASCII.GetBytes(line));
            _file.Flush(flushToDisk: true);
        }
    }

    /// <summary>Whether <paramref name="validator"/> stored <paramref name="root"/>.</summary>
    public bool IsOwner(in Hash256 root, in PublicKey validator)
    {
        lock (_lock)
        {
            return _owners.TryGetValue(root, out List<PublicKey>? owners) && owners.Contains(validator);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _file?.Dispose();

    private static bool TryParseKey(ReadOnlySpan<char> hex, out PublicKey key)
    {
        Span<byte> bytes = stackalloc byte[PublicKey.Size];
        if (hex.Length == 2 * PublicKey.Size && Convert.FromHexString(hex, bytes, out _, out int written) == System.Buffers.OperationStatus.Done && written == PublicKey.Size)
        {
            key = new PublicKey(bytes);
            return true;
        }

        key = default;
        return false;
    }

    private bool AddCore(in Hash256 root, in PublicKey validator)
    {
        if (!_owners.TryGetValue(root, out List<PublicKey>? owners))
        {
            owners = [];
            _owners.Add(root, owners);
        }

        if (owners.Contains(validator))
        {
            return false;
        }

        owners.Add(validator);
        return true;
    }
}
