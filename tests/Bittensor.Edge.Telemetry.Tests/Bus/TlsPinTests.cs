// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bittensor.Edge.Telemetry.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Bittensor.Edge.Telemetry.Tests.Bus;

/// <summary>
/// The device side of the gateway's self-signed TLS certificate (fleet.md §3): with <c>tlsSha256</c> the device trusts
/// exactly that certificate and nothing else; without it, the usual chain validation refuses a self-signed one. Real
/// TLS on loopback against an MQTTnet broker that speaks only mqtts.
/// </summary>
public sealed class TlsPinTests : IDisposable
{
    private readonly X509Certificate2 _certificate = SelfSigned("CN=bte-gateway test");

    public void Dispose() => _certificate.Dispose();

    [Fact]
    public async Task The_pinned_certificate_connects()
    {
        await using TestBroker broker = await TestBroker.StartTlsAsync(_certificate);
        await using TestDevice device = new(broker.Uri, b => b.TlsSha256 = Pin(_certificate));

        await device.StartAndWaitAsync();

        Assert.Equal(TestDevice.Id, Assert.Single(broker.Connects).ClientId);
        Assert.False(device.Logger.Contains(LogLevel.Error, "pinned"));
    }

    [Fact]
    public async Task Another_certificate_than_the_pinned_one_is_refused_before_the_login_and_retried_with_backoff()
    {
        using X509Certificate2 impostor = SelfSigned("CN=bte-gateway test");
        await using TestBroker broker = await TestBroker.StartTlsAsync(impostor);
        await using TestDevice device = new(broker.Uri, b => b.TlsSha256 = Pin(_certificate), autoAdvance: false);

        await device.Connection.StartAsync(TestContext.Current.CancellationToken);
        await device.NextRetryAsync();

        Assert.True(device.Logger.Contains(LogLevel.Error, Pin(impostor)), "the mismatch names the certificate it saw");
        Assert.Empty(broker.Connects); // refused in the handshake: the CONNECT with its password never went out
        Assert.False(device.Connection.IsConnected);
    }

    [Fact]
    public async Task Without_a_pin_a_self_signed_certificate_fails_chain_validation()
    {
        await using TestBroker broker = await TestBroker.StartTlsAsync(_certificate);
        await using TestDevice device = new(broker.Uri, autoAdvance: false);

        await device.Connection.StartAsync(TestContext.Current.CancellationToken);
        await device.NextRetryAsync();

        Assert.Empty(broker.Connects);
        Assert.False(device.Connection.IsConnected);
        Assert.False(device.Logger.Contains(LogLevel.Error, "pinned")); // no pin was asked for
    }

    private static string Pin(X509Certificate2 certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    private static X509Certificate2 SelfSigned(string subject)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CertificateRequest request = new(subject, key, HashAlgorithmName.SHA256);
        SubjectAlternativeNameBuilder names = new();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        // SslStream on Linux needs the key in a PKCS#12 round trip, not an ephemeral one.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
