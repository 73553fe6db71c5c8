// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Text.Json;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;
using Bittensor.Edge.Storage.Proofs;

namespace Bittensor.Edge.Cli.Commands.Storage;

/// <summary>
/// The proof file of <c>bte storage prove --json</c> / <c>bte storage verify</c>: the challenge inputs and the
/// <c>StorageChallenge</c> response of protocol.md §4 (<c>proofs: [{root, leaf, data: b64, path: b64}]</c>).
/// </summary>
/// <remarks>
/// <code>
/// {"blockHash": hex32, "validatorNonce": hex32, "hotkey": SS58, "k": 32,
///  "items": [{"root": hex32, "leaf": 0..1023}], "proofs": [{"root", "leaf", "data", "path"}]}
/// </code>
/// Written and read by hand (Utf8JsonWriter / JsonDocument), since reflection-based JSON is off.
/// </remarks>
internal sealed record ProofFile(Hash256 BlockHash, Hash256 ValidatorNonce, PublicKey Hotkey, int K, IReadOnlyList<SectorLeaf> Items, IReadOnlyList<SectorLeafProof?> Proofs)
{
    public void Write(Stream stream)
    {
        using Utf8JsonWriter json = new(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("blockHash", BlockHash.ToString("x", null));
        json.WriteString("validatorNonce", ValidatorNonce.ToString("x", null));
        json.WriteString("hotkey", Ss58.Encode(Hotkey));
        json.WriteNumber("k", K);
        json.WriteStartArray("items");
        foreach (SectorLeaf item in Items)
        {
            json.WriteStartObject();
            json.WriteString("root", item.Root.ToString("x", null));
            json.WriteNumber("leaf", item.Leaf);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("proofs");
        foreach (SectorLeafProof? proof in Proofs)
        {
            if (proof is null)
            {
                json.WriteNullValue();
                continue;
            }

            json.WriteStartObject();
            json.WriteString("root", proof.Root.ToString("x", null));
            json.WriteNumber("leaf", proof.Leaf);
            json.WriteBase64String("data", proof.Data);
            json.WriteBase64String("path", proof.Path);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>Parses a proof file; any shape error is a message, never an exception.</summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, out ProofFile? file, out string error)
    {
        file = null;
        try
        {
            using JsonDocument document = JsonDocument.Parse(utf8.ToArray());
            JsonElement root = document.RootElement;
            if (!TryHash(root, "blockHash", out Hash256 blockHash, out error)
                || !TryHash(root, "validatorNonce", out Hash256 nonce, out error))
            {
                return false;
            }

            if (!root.TryGetProperty("hotkey", out JsonElement hotkeyElement) || !Ss58.TryDecode(hotkeyElement.GetString(), out PublicKey hotkey))
            {
                error = "hotkey: expected an SS58 address.";
                return false;
            }

            if (!root.TryGetProperty("k", out JsonElement kElement) || !kElement.TryGetInt32(out int k))
            {
                error = "k: expected an integer.";
                return false;
            }

            List<SectorLeaf> items = [];
            if (root.TryGetProperty("items", out JsonElement itemsElement) && itemsElement.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in itemsElement.EnumerateArray())
                {
                    if (!TryHash(item, "root", out Hash256 itemRoot, out error) || !TryInt(item, "leaf", out int leaf, out error))
                    {
                        return false;
                    }

                    items.Add(new SectorLeaf(itemRoot, leaf));
                }
            }

            if (!root.TryGetProperty("proofs", out JsonElement proofsElement) || proofsElement.ValueKind != JsonValueKind.Array)
            {
                error = "proofs: expected an array.";
                return false;
            }

            List<SectorLeafProof?> proofs = [];
            foreach (JsonElement proof in proofsElement.EnumerateArray())
            {
                if (proof.ValueKind == JsonValueKind.Null)
                {
                    proofs.Add(null);
                    continue;
                }

                if (!TryHash(proof, "root", out Hash256 proofRoot, out error) || !TryInt(proof, "leaf", out int leaf, out error))
                {
                    return false;
                }

                proofs.Add(new SectorLeafProof(proofRoot, leaf, Bytes(proof, "data"), Bytes(proof, "path")));
            }

            file = new ProofFile(blockHash, nonce, hotkey, k, items, proofs);
            error = "";
            return true;
        }
        catch (JsonException e)
        {
            error = $"not JSON: {e.Message}";
            return false;
        }
        catch (InvalidOperationException e)
        {
            error = $"unexpected JSON type: {e.Message}";
            return false;
        }
    }

    private static byte[]? Bytes(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String && value.TryGetBytesFromBase64(out byte[]? bytes) ? bytes : null;

    private static bool TryHash(JsonElement element, string name, out Hash256 hash, out string error)
    {
        hash = default;
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.String || !Hash256.TryParse(value.GetString(), out hash))
        {
            error = $"{name}: expected 64 hex digits.";
            return false;
        }

        error = "";
        return true;
    }

    private static bool TryInt(JsonElement element, string name, out int number, out string error)
    {
        number = 0;
        if (!element.TryGetProperty(name, out JsonElement value) || value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out number))
        {
            error = $"{name}: expected an integer.";
            return false;
        }

        error = "";
        return true;
    }
}
