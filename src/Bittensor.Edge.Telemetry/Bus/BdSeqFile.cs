// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Text;
using Bittensor.Edge.Telemetry.Interop;

namespace Bittensor.Edge.Telemetry.Bus;

/// <summary>
/// The birth/death sequence number kept in a file (fleet.md §4: <c>/var/lib/bte/bdseq</c>): one decimal u64 and a
/// newline, replaced through temp → fsync → rename → fsync of the directory before every CONNECT, so a power cut never
/// makes a later connection reuse an earlier number.
/// </summary>
/// <remarks>
/// A missing file starts at 0 (the first CONNECT uses 1). A file that does not parse (a damaged card) is replaced by
/// the current Unix time in seconds: the readers' supersede rule drops an <c>offline</c> whose bdSeq is below the last
/// <c>online</c>, so restarting at 1 would let a late will of an earlier connection (a larger number) mark the device
/// offline while it is online. Not thread-safe; the connection's loop is its only caller.
/// </remarks>
internal sealed class BdSeqFile
{
    private readonly string _path;
    private readonly Func<long> _unixSeconds;

    public BdSeqFile(string path, Func<long> unixSeconds)
    {
        _path = Path.GetFullPath(path);
        _unixSeconds = unixSeconds;
    }

    /// <summary>The number last written (0 before the first <see cref="Next"/> of a fresh file).</summary>
    public ulong Current { get; private set; }

    /// <summary>Whether the last read found a damaged file (logged by the caller).</summary>
    public bool RecoveredFromDamage { get; private set; }

    /// <summary>Reads the stored number, adds one, and makes the new number durable before returning it.</summary>
    /// <exception cref="IOException">The file or its directory cannot be written.</exception>
    public ulong Next()
    {
        ulong stored = Read();
        ulong next = stored == ulong.MaxValue ? 1 : stored + 1;
        Write(next);
        Current = next;
        return next;
    }

    private ulong Read()
    {
        RecoveredFromDamage = false;
        string text;
        try
        {
            text = File.ReadAllText(_path, Encoding.UTF8);
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }

        if (ulong.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            return value;
        }

        RecoveredFromDamage = true;
        return (ulong)Math.Max(1, _unixSeconds());
    }

    private void Write(ulong value)
    {
        string directory = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(directory);
        string temp = _path + ".tmp";
        byte[] bytes = Encoding.UTF8.GetBytes(value.ToString(CultureInfo.InvariantCulture) + "\n");
        using (FileStream stream = new(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, _path, overwrite: true);
        Libc.FsyncDirectory(directory);
    }
}
