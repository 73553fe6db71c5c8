// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text;
using System.Text.Json;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Inference.Registry;

/// <summary>Why an entry is refused (inference.md §1).</summary>
public enum EntryCheck
{
    /// <summary>Signed by a trusted key, and the signature verifies.</summary>
    Valid,

    /// <summary>No <c>signer</c> or no <c>sig</c>.</summary>
    NotSigned,

    /// <summary>The signer is not in the host's <c>trust</c> list.</summary>
    UntrustedSigner,

    /// <summary>The signature does not verify (or is not 64 bytes of base64, or the signer is not an SS58 address).</summary>
    BadSignature,
}

/// <summary>Why model bytes are refused against their entry.</summary>
public enum ModelFileCheck
{
    /// <summary>Size and SHA-256 match.</summary>
    Valid,

    /// <summary>The byte count differs from the entry's <c>bytes</c>.</summary>
    SizeMismatch,

    /// <summary>The SHA-256 differs from the entry's <c>sha256</c>.</summary>
    HashMismatch,
}

/// <summary>
/// The model registry (<c>registry.json</c>, inference.md §1): a trust list of registry keys and signed entries. Entries
/// are checked against the trust list and their signature; model bytes against their entry's size and SHA-256.
/// </summary>
/// <remarks>
/// Immutable: <see cref="WithEntry"/> and <see cref="WithTrust"/> return new registries. Thread-safe. The raw JSON of
/// each parsed entry is kept, so a signature is checked over exactly the bytes its signer saw (after canonicalisation).
/// </remarks>
public sealed class ModelRegistry
{
    /// <summary>Domain separation prefix of entry signatures.</summary>
    public const string SigningContext = "bte/model/v1";

    private readonly IReadOnlyList<(ModelEntry Entry, byte[] Json)> _entries;

    private ModelRegistry(IReadOnlyList<string> trust, IReadOnlyList<(ModelEntry, byte[])> entries)
    {
        Trust = trust;
        _entries = entries;
    }

    /// <summary>An empty registry trusting nobody.</summary>
    public static ModelRegistry Empty { get; } = new([], []);

    /// <summary>Trusted registry keys (SS58).</summary>
    public IReadOnlyList<string> Trust { get; }

    /// <summary>All entries, verified or not, in file order.</summary>
    public IReadOnlyList<ModelEntry> Models => [.. _entries.Select(e => e.Entry)];

    /// <summary>Parses <c>registry.json</c>.</summary>
    /// <exception cref="FormatException">The file is not a registry (malformed JSON or missing fields).</exception>
    public static ModelRegistry Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
            JsonElement root = document.RootElement;
            List<string> trust = [];
            if (root.TryGetProperty("trust", out JsonElement trustElement))
            {
                foreach (JsonElement key in trustElement.EnumerateArray())
                {
                    trust.Add(key.GetString() ?? "");
                }
            }

            List<(ModelEntry, byte[])> entries = [];
            if (root.TryGetProperty("models", out JsonElement models))
            {
                foreach (JsonElement model in models.EnumerateArray())
                {
                    byte[] raw = Encoding.UTF8.GetBytes(model.GetRawText());
                    ModelEntry entry = JsonSerializer.Deserialize(raw, RegistryJsonContext.Default.ModelEntry)
                        ?? throw new FormatException("A model entry is null.");
                    entries.Add((entry, raw));
                }
            }

            return new ModelRegistry(trust, entries);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Not a model registry: {ex.Message}", ex);
        }
    }

    /// <summary>The registry as indented JSON.</summary>
    public byte[] ToJson()
    {
        RegistryFile file = new(Trust, Models);
        return JsonSerializer.SerializeToUtf8Bytes(file, RegistryJsonContext.Default.RegistryFile);
    }

    /// <summary>A copy that also trusts <paramref name="key"/>.</summary>
    public ModelRegistry WithTrust(in PublicKey key)
    {
        string address = key.ToSs58();
        return Trust.Contains(address, StringComparer.Ordinal) ? this : new ModelRegistry([.. Trust, address], _entries);
    }

    /// <summary>A copy with <paramref name="entry"/> added, or replacing the entry with the same id and SHA-256.</summary>
    /// <exception cref="ArgumentException">Another entry has the id with a different SHA-256 (an id never changes meaning).</exception>
    public ModelRegistry WithEntry(ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        List<(ModelEntry, byte[])> entries = [];
        foreach ((ModelEntry existing, byte[] json) in _entries)
        {
            if (existing.Id == entry.Id)
            {
                if (!string.Equals(existing.Sha256, entry.Sha256, StringComparison.OrdinalIgnoreCase))
                {
                    ThrowHelper.ThrowArgument(nameof(entry), $"Model id '{entry.Id}' already names {existing.Sha256}; a changed model needs a new id.");
                }

                continue;
            }

            entries.Add((existing, json));
        }

        entries.Add((entry, JsonSerializer.SerializeToUtf8Bytes(entry, RegistryJsonContext.Default.ModelEntry)));
        return new ModelRegistry(Trust, entries);
    }

    /// <summary>The entry with <paramref name="id"/>, verified or not.</summary>
    public bool TryGet(string id, out ModelEntry entry)
    {
        foreach ((ModelEntry e, _) in _entries)
        {
            if (e.Id == id)
            {
                entry = e;
                return true;
            }
        }

        entry = null!;
        return false;
    }

    /// <summary>Checks the entry with <paramref name="id"/> against the trust list and its signature.</summary>
    /// <exception cref="ArgumentException">No entry has that id.</exception>
    public EntryCheck Check(string id)
    {
        foreach ((ModelEntry e, byte[] json) in _entries)
        {
            if (e.Id == id)
            {
                return CheckCore(e, json);
            }
        }

        throw new ArgumentException($"No entry '{id}'.", nameof(id));
    }

    /// <summary>The verified entry with <paramref name="id"/>; <see langword="false"/> with a clear reason otherwise.</summary>
    public bool TryGetVerified(string id, out ModelEntry entry, out string? error)
    {
        if (!TryGet(id, out entry))
        {
            error = $"Model '{id}' is not in the registry.";
            return false;
        }

        EntryCheck check = Check(id);
        error = Describe(check, entry);
        return check == EntryCheck.Valid;
    }

    /// <summary>A sentence for a refused entry, or null for <see cref="EntryCheck.Valid"/>.</summary>
    public static string? Describe(EntryCheck check, ModelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return check switch
        {
            EntryCheck.Valid => null,
            EntryCheck.NotSigned => $"Model '{entry.Id}' is refused: its entry is not signed.",
            EntryCheck.UntrustedSigner => $"Model '{entry.Id}' is refused: its signer {entry.Signer} is not in the registry's trust list.",
            _ => $"Model '{entry.Id}' is refused: its entry signature does not verify against {entry.Signer}.",
        };
    }

    /// <summary>Checks model bytes against their entry's size and SHA-256.</summary>
    public static ModelFileCheck CheckModelBytes(ModelEntry entry, ReadOnlySpan<byte> model)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (model.Length != entry.Bytes)
        {
            return ModelFileCheck.SizeMismatch;
        }

        return string.Equals(Sha256.Hash(model).ToString("x", null), entry.Sha256, StringComparison.OrdinalIgnoreCase)
            ? ModelFileCheck.Valid
            : ModelFileCheck.HashMismatch;
    }

    /// <summary>Signs <paramref name="entry"/> with <paramref name="key"/>: sets <c>signer</c> and <c>sig</c>.</summary>
    public static ModelEntry Sign(ModelEntry entry, Ed25519KeyPair key)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(key);
        ModelEntry unsigned = entry with { Signer = key.Ss58Address, Sig = null };
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(unsigned, RegistryJsonContext.Default.ModelEntry);
        Signature signature = key.Sign(SigningPayload(json));
        return unsigned with { Sig = Convert.ToBase64String(signature.Bytes) };
    }

    /// <summary><c>"bte/model/v1" ‖</c> the canonical JSON of the entry without <c>sig</c>.</summary>
    public static byte[] SigningPayload(ReadOnlySpan<byte> entryJson)
    {
        using JsonDocument document = JsonDocument.Parse(entryJson.ToArray());
        byte[] canonical = CanonicalJson.Serialize(document.RootElement, "sig");
        byte[] payload = new byte[SigningContext.Length + canonical.Length];
        Encoding.ASCII.GetBytes(SigningContext, payload);
        canonical.CopyTo(payload, SigningContext.Length);
        return payload;
    }

    private EntryCheck CheckCore(ModelEntry entry, byte[] json)
    {
        if (string.IsNullOrEmpty(entry.Signer) || string.IsNullOrEmpty(entry.Sig))
        {
            return EntryCheck.NotSigned;
        }

        if (!Trust.Contains(entry.Signer, StringComparer.Ordinal))
        {
            return EntryCheck.UntrustedSigner;
        }

        Span<byte> signature = stackalloc byte[Signature.Size];
        if (!Ss58.TryDecode(entry.Signer, out PublicKey signer)
            || !Convert.TryFromBase64String(entry.Sig, signature, out int written)
            || written != Signature.Size)
        {
            return EntryCheck.BadSignature;
        }

        return Ed25519.Verify(signer, SigningPayload(json), signature) ? EntryCheck.Valid : EntryCheck.BadSignature;
    }
}
