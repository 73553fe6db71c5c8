// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using Bittensor.Edge.Core.Crypto;

namespace Bittensor.Edge.Chain.Tests.Builders;

/// <summary>Deterministic key pairs: the same name always gives the same key.</summary>
public static class TestKeys
{
    private static readonly Dictionary<string, Ed25519KeyPair> s_keys = [];
    private static readonly Lock s_lock = new();

    public static Ed25519KeyPair Get(string name)
    {
        lock (s_lock)
        {
            if (!s_keys.TryGetValue(name, out Ed25519KeyPair? key))
            {
                key = Ed25519KeyPair.FromSeed(Blake2b.Hash256(System.Text.Encoding.UTF8.GetBytes(name)).Bytes);
                s_keys[name] = key;
            }

            return key;
        }
    }

    public static Ed25519KeyPair Authority => Get("authority");

    public static Ed25519KeyPair Sudo => Get("sudo");

    public static Ed25519KeyPair Alice => Get("alice");

    public static Ed25519KeyPair Bob => Get("bob");

    public static Ed25519KeyPair Owner => Get("owner");

    public static Ed25519KeyPair OwnerHotkey => Get("owner-hotkey");

    public static Ed25519KeyPair Hotkey(int i) => Get($"hotkey-{i}");
}
