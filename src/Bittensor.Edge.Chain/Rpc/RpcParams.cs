// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Globalization;
using System.Text.Json;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Rpc;

/// <summary>
/// The <c>params</c> of one request, by position (an array) or by name (an object), with typed readers that report
/// a precise <see cref="RpcErrorCode.InvalidParams"/> message instead of throwing.
/// </summary>
internal readonly struct RpcParams
{
    private readonly JsonElement _params;

    public RpcParams(JsonElement value)
    {
        _params = value;
    }

    /// <summary>Checks that no parameter goes beyond <paramref name="names"/> (too many positions, or an unknown name).</summary>
    public RpcError? CheckShape(params ReadOnlySpan<string> names)
    {
        switch (_params.ValueKind)
        {
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Array:
                int count = _params.GetArrayLength();
                return count <= names.Length
                    ? null
                    : RpcError.Params(string.Create(CultureInfo.InvariantCulture, $"Expected at most {names.Length} parameter(s) ({string.Join(", ", names.ToArray())}), got {count}."));
            default:
                foreach (JsonProperty property in _params.EnumerateObject())
                {
                    if (!names.Contains(property.Name))
                    {
                        return RpcError.Params($"Unknown parameter '{property.Name}'; this method takes: {(names.Length == 0 ? "none" : string.Join(", ", names.ToArray()))}.");
                    }
                }

                return null;
        }
    }

    /// <summary>The parameter at <paramref name="position"/> or named <paramref name="name"/>; absent or JSON null gives <see langword="false"/>.</summary>
    public bool TryGet(int position, string name, out JsonElement value)
    {
        value = default;
        if (_params.ValueKind == JsonValueKind.Array)
        {
            if (position < _params.GetArrayLength())
            {
                value = _params[position];
            }
        }
        else if (_params.ValueKind == JsonValueKind.Object)
        {
            _params.TryGetProperty(name, out value);
        }

        return value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
    }

    public RpcError? GetU64(int position, string name, out ulong value)
    {
        value = 0;
        if (!TryGet(position, name, out JsonElement element))
        {
            return Missing(name);
        }

        return TryReadU64(element, out value) ? null : RpcError.Params($"'{name}' must be an unsigned 64-bit integer.");
    }

    public RpcError? GetU16(int position, string name, out ushort value)
    {
        value = 0;
        if (!TryGet(position, name, out JsonElement element))
        {
            return Missing(name);
        }

        if (TryReadU64(element, out ulong wide) && wide <= ushort.MaxValue)
        {
            value = (ushort)wide;
            return null;
        }

        return RpcError.Params($"'{name}' must be an integer from 0 to 65535.");
    }

    public RpcError? GetOptionalU16(int position, string name, out ushort? value)
    {
        value = null;
        if (!TryGet(position, name, out _))
        {
            return null;
        }

        RpcError? error = GetU16(position, name, out ushort present);
        value = present;
        return error;
    }

    public RpcError? GetAccount(int position, string name, out PublicKey value)
    {
        value = default;
        if (!TryGet(position, name, out JsonElement element))
        {
            return Missing(name);
        }

        string? text = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        if (text is not null && (Ss58.TryDecode(text, out value) || (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && PublicKey.TryParse(text, out value))))
        {
            return null;
        }

        return RpcError.Params($"'{name}' must be an SS58 address (prefix 42) or a 0x-prefixed 32-byte public key.");
    }

    public RpcError? GetOptionalAccount(int position, string name, out PublicKey? value)
    {
        value = null;
        if (!TryGet(position, name, out _))
        {
            return null;
        }

        RpcError? error = GetAccount(position, name, out PublicKey present);
        value = present;
        return error;
    }

    public RpcError? GetHash(int position, string name, out Hash256 value)
    {
        value = default;
        if (!TryGet(position, name, out JsonElement element))
        {
            return Missing(name);
        }

        string? text = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        return text is not null && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && Hash256.TryParse(text, out value)
            ? null
            : RpcError.Params($"'{name}' must be a 0x-prefixed 32-byte hex hash.");
    }

    public RpcError? GetHex(int position, string name, int maxBytes, out byte[] value)
    {
        value = [];
        if (!TryGet(position, name, out JsonElement element))
        {
            return Missing(name);
        }

        string? text = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        if (text is null || !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || text.Length % 2 != 0)
        {
            return RpcError.Params($"'{name}' must be 0x-prefixed hex with an even number of digits.");
        }

        if ((text.Length - 2) / 2 > maxBytes)
        {
            return RpcError.Params(string.Create(CultureInfo.InvariantCulture, $"'{name}' holds more than {maxBytes} bytes."));
        }

        byte[] bytes = new byte[(text.Length - 2) / 2];
        if (Convert.FromHexString(text.AsSpan(2), bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != bytes.Length)
        {
            return RpcError.Params($"'{name}' is not valid hex.");
        }

        value = bytes;
        return null;
    }

    /// <summary>A block argument: absent (best), a number, or a 0x hash.</summary>
    public RpcError? GetBlock(int position, string name, out BlockSelector value)
    {
        value = BlockSelector.Best;
        if (!TryGet(position, name, out JsonElement element))
        {
            return null;
        }

        if (element.ValueKind == JsonValueKind.Number && element.TryGetUInt64(out ulong number))
        {
            value = BlockSelector.ByNumber(number);
            return null;
        }

        if (element.ValueKind == JsonValueKind.String && element.GetString() is string text && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && Hash256.TryParse(text, out Hash256 hash))
        {
            value = BlockSelector.ByHash(hash);
            return null;
        }

        return RpcError.Params($"'{name}' must be a block number, a 0x-prefixed block hash, or absent for the best block.");
    }

    private static bool TryReadU64(JsonElement element, out ulong value)
    {
        if (element.ValueKind == JsonValueKind.Number)
        {
            return element.TryGetUInt64(out value);
        }

        value = 0;
        return element.ValueKind == JsonValueKind.String && ulong.TryParse(element.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static RpcError Missing(string name) => RpcError.Params($"Missing parameter '{name}'.");
}

/// <summary>A block argument: the best block, a number, or a hash.</summary>
/// <param name="Kind">Which form.</param>
/// <param name="Number">The number, for <see cref="BlockSelectorKind.Number"/>.</param>
/// <param name="Hash">The hash, for <see cref="BlockSelectorKind.Hash"/>.</param>
internal readonly record struct BlockSelector(BlockSelectorKind Kind, ulong Number, Hash256 Hash)
{
    public static BlockSelector Best => default;

    public static BlockSelector ByNumber(ulong number) => new(BlockSelectorKind.Number, number, default);

    public static BlockSelector ByHash(in Hash256 hash) => new(BlockSelectorKind.Hash, 0, hash);
}

/// <summary>The form of a <see cref="BlockSelector"/>.</summary>
internal enum BlockSelectorKind
{
    Best = 0,
    Number,
    Hash,
}
