// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Bittensor.Edge.Chain.Primitives;
using Bittensor.Edge.Chain.State;
using Bittensor.Edge.Core.Addresses;
using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Genesis;

/// <summary>
/// Reads and writes the genesis file of specs/protocol.md §2.9 with <see cref="JsonDocument"/> and
/// <see cref="Utf8JsonWriter"/> (no reflection). Unknown and repeated keys are errors that name the key.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class GenesisParser
{
    /// <summary>Parses a genesis file; on failure <paramref name="error"/> names the offending key.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out GenesisConfig? genesis, [NotNullWhen(false)] out string? error)
    {
        genesis = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            error = $"The genesis is not valid JSON: {e.Message}";
            return false;
        }

        using (document)
        {
            try
            {
                genesis = Parse(document.RootElement);
                error = null;
                return true;
            }
            catch (GenesisFormatException e)
            {
                error = e.Message;
                return false;
            }
            catch (ArgumentException e)
            {
                error = e.Message;
                return false;
            }
        }
    }

    /// <summary>The genesis as a JSON file (hyperparameters that equal their default are left out).</summary>
    public static byte[] ToJson(GenesisConfig genesis)
    {
        ArgumentNullException.ThrowIfNull(genesis);
        using MemoryStream stream = new();
        using (Utf8JsonWriter writer = new(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("chain_id", genesis.ChainId);
            writer.WriteNumber("genesis_time_ms", genesis.GenesisTimeMs);
            writer.WriteNumber("block_time_ms", genesis.BlockTimeMs);
            writer.WriteStartArray("authorities");
            foreach (PublicKey authority in genesis.Authorities)
            {
                writer.WriteStringValue(authority.ToSs58());
            }

            writer.WriteEndArray();
            writer.WriteStartArray("balances");
            foreach (GenesisBalance balance in genesis.Balances)
            {
                writer.WriteStartObject();
                writer.WriteString("address", balance.Account.ToSs58());
                writer.WriteString("rao", balance.Amount.ToString());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("network_cost", genesis.NetworkCost.ToString());
            if (genesis.Sudo is PublicKey sudo)
            {
                writer.WriteString("sudo", sudo.ToSs58());
            }

            writer.WriteStartArray("subnets");
            foreach (GenesisSubnet subnet in genesis.Subnets)
            {
                writer.WriteStartObject();
                writer.WriteNumber("netuid", subnet.Netuid.Value);
                writer.WriteString("owner", subnet.Owner.ToSs58());
                writer.WriteString("owner_hotkey", subnet.OwnerHotkey.ToSs58());
                writer.WriteStartObject("hyperparameters");
                for (int id = 0; id < Hyperparameters.Count; id++)
                {
                    HyperparameterId parameter = (HyperparameterId)id;
                    if (subnet.Hyperparameters[parameter] != Hyperparameters.DefaultOf(parameter))
                    {
                        writer.WriteNumber(Hyperparameters.NameOf(parameter), subnet.Hyperparameters[parameter]);
                    }
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("dev");
            writer.WriteBoolean("allow_loopback_axons", genesis.AllowLoopbackAxons);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static GenesisConfig Parse(JsonElement root)
    {
        ExpectKind(root, JsonValueKind.Object, "the genesis");
        string? chainId = null;
        ulong? genesisTime = null;
        ulong blockTime = ChainConstants.DefaultBlockTimeMs;
        List<PublicKey>? authorities = null;
        List<GenesisBalance> balances = [];
        Rao networkCost = new(ChainConstants.DefaultNetworkCost);
        PublicKey? sudo = null;
        List<GenesisSubnet> subnets = [];
        bool allowLoopback = false;
        HashSet<string> seen = [];
        foreach (JsonProperty property in root.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new GenesisFormatException($"The key '{property.Name}' appears twice.");
            }

            JsonElement value = property.Value;
            switch (property.Name)
            {
                case "chain_id":
                    ExpectKind(value, JsonValueKind.String, "chain_id");
                    chainId = value.GetString()!;
                    if (chainId.Length == 0)
                    {
                        throw new GenesisFormatException("chain_id must not be empty.");
                    }

                    break;
                case "genesis_time_ms":
                    genesisTime = ReadU64(value, "genesis_time_ms");
                    break;
                case "block_time_ms":
                    blockTime = ReadU64(value, "block_time_ms");
                    if (blockTime == 0)
                    {
                        throw new GenesisFormatException("block_time_ms must be above 0.");
                    }

                    break;
                case "authorities":
                    ExpectKind(value, JsonValueKind.Array, "authorities");
                    authorities = [];
                    int a = 0;
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        authorities.Add(ReadAddress(item, $"authorities[{a++}]"));
                    }

                    break;
                case "balances":
                    ExpectKind(value, JsonValueKind.Array, "balances");
                    int b = 0;
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        balances.Add(ReadBalance(item, $"balances[{b++}]"));
                    }

                    break;
                case "network_cost":
                    networkCost = ReadRao(value, "network_cost");
                    break;
                case "sudo":
                    sudo = value.ValueKind == JsonValueKind.Null ? null : ReadAddress(value, "sudo");
                    break;
                case "subnets":
                    ExpectKind(value, JsonValueKind.Array, "subnets");
                    int s = 0;
                    foreach (JsonElement item in value.EnumerateArray())
                    {
                        subnets.Add(ReadSubnet(item, $"subnets[{s++}]"));
                    }

                    break;
                case "dev":
                    allowLoopback = ReadDev(value);
                    break;
                default:
                    throw new GenesisFormatException($"Unknown key '{property.Name}'.");
            }
        }

        if (chainId is null)
        {
            throw new GenesisFormatException("The key 'chain_id' is required.");
        }

        if (genesisTime is null)
        {
            throw new GenesisFormatException("The key 'genesis_time_ms' is required.");
        }

        if (authorities is null || authorities.Count == 0)
        {
            throw new GenesisFormatException("The key 'authorities' is required and needs at least one key.");
        }

        return new GenesisConfig(chainId, genesisTime.Value, blockTime, authorities, balances, networkCost, sudo, subnets, allowLoopback);
    }

    private static GenesisBalance ReadBalance(JsonElement element, string path)
    {
        ExpectKind(element, JsonValueKind.Object, path);
        PublicKey? address = null;
        Rao? amount = null;
        foreach (JsonProperty property in element.EnumerateObject())
        {
            switch (property.Name)
            {
                case "address" when address is null:
                    address = ReadAddress(property.Value, $"{path}.address");
                    break;
                case "rao" when amount is null:
                    amount = ReadRao(property.Value, $"{path}.rao");
                    break;
                case "address" or "rao":
                    throw new GenesisFormatException($"The key '{path}.{property.Name}' appears twice.");
                default:
                    throw new GenesisFormatException($"Unknown key '{path}.{property.Name}'.");
            }
        }

        if (address is null || amount is null)
        {
            throw new GenesisFormatException($"'{path}' needs both 'address' and 'rao'.");
        }

        return new GenesisBalance(address.Value, amount.Value);
    }

    private static GenesisSubnet ReadSubnet(JsonElement element, string path)
    {
        ExpectKind(element, JsonValueKind.Object, path);
        ushort? netuid = null;
        PublicKey? owner = null;
        PublicKey? ownerHotkey = null;
        Hyperparameters hyperparameters = new();
        HashSet<string> seen = [];
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new GenesisFormatException($"The key '{path}.{property.Name}' appears twice.");
            }

            switch (property.Name)
            {
                case "netuid":
                    ulong value = ReadU64(property.Value, $"{path}.netuid");
                    if (value is 0 or > ChainConstants.MaxSubnets)
                    {
                        throw new GenesisFormatException($"'{path}.netuid' must lie in 1..{ChainConstants.MaxSubnets}.");
                    }

                    netuid = (ushort)value;
                    break;
                case "owner":
                    owner = ReadAddress(property.Value, $"{path}.owner");
                    break;
                case "owner_hotkey":
                    ownerHotkey = ReadAddress(property.Value, $"{path}.owner_hotkey");
                    break;
                case "hyperparameters":
                    ReadHyperparameters(property.Value, $"{path}.hyperparameters", hyperparameters);
                    break;
                default:
                    throw new GenesisFormatException($"Unknown key '{path}.{property.Name}'.");
            }
        }

        if (netuid is null || owner is null || ownerHotkey is null)
        {
            throw new GenesisFormatException($"'{path}' needs 'netuid', 'owner' and 'owner_hotkey'.");
        }

        return new GenesisSubnet(new Netuid(netuid.Value), owner.Value, ownerHotkey.Value, hyperparameters);
    }

    private static void ReadHyperparameters(JsonElement element, string path, Hyperparameters target)
    {
        ExpectKind(element, JsonValueKind.Object, path);
        HashSet<string> seen = [];
        foreach (JsonProperty property in element.EnumerateObject())
        {
            string key = $"{path}.{property.Name}";
            if (!seen.Add(property.Name))
            {
                throw new GenesisFormatException($"The key '{key}' appears twice.");
            }

            if (!Hyperparameters.TryGetId(property.Name, out HyperparameterId id))
            {
                throw new GenesisFormatException($"Unknown key '{key}'.");
            }

            ulong value = property.Value.ValueKind switch
            {
                JsonValueKind.True => 1,
                JsonValueKind.False => 0,
                _ => ReadU64(property.Value, key),
            };
            if (!Hyperparameters.FitsType(id, value))
            {
                throw new GenesisFormatException($"'{key}' = {value} does not fit the parameter's type.");
            }

            target[id] = value;
        }
    }

    private static bool ReadDev(JsonElement element)
    {
        ExpectKind(element, JsonValueKind.Object, "dev");
        bool allowLoopback = false;
        HashSet<string> seen = [];
        foreach (JsonProperty property in element.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                throw new GenesisFormatException($"The key 'dev.{property.Name}' appears twice.");
            }

            if (property.Name != "allow_loopback_axons")
            {
                throw new GenesisFormatException($"Unknown key 'dev.{property.Name}'.");
            }

            if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw new GenesisFormatException("'dev.allow_loopback_axons' must be true or false.");
            }

            allowLoopback = property.Value.GetBoolean();
        }

        return allowLoopback;
    }

    private static ulong ReadU64(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetUInt64(out ulong value))
        {
            throw new GenesisFormatException($"'{path}' must be a whole number from 0 to 2^64 − 1.");
        }

        return value;
    }

    private static Rao ReadRao(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.String || !Rao.TryParse(element.GetString(), out Rao value))
        {
            throw new GenesisFormatException($"'{path}' must be a decimal string of rao (a u64).");
        }

        return value;
    }

    private static PublicKey ReadAddress(JsonElement element, string path)
    {
        if (element.ValueKind != JsonValueKind.String || !Ss58.TryDecode(element.GetString(), out PublicKey key))
        {
            throw new GenesisFormatException($"'{path}' must be an SS58 address (prefix 42).");
        }

        return key;
    }

    private static void ExpectKind(JsonElement element, JsonValueKind kind, string path)
    {
        if (element.ValueKind != kind)
        {
            throw new GenesisFormatException($"'{path}' must be a JSON {kind.ToString().ToUpperInvariant()}, not {element.ValueKind.ToString().ToUpperInvariant()}.");
        }
    }

    private sealed class GenesisFormatException(string message) : Exception(message);
}
