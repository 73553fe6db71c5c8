// SPDX-License-Identifier: MIT
// Copyright (c) Bittensor.Edge contributors

using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Bittensor.Edge.Core.Wallets;
using Bittensor.Edge.Gateway.Settings;

namespace Bittensor.Edge.Gateway;

/// <summary>
/// The gateway's secret files: the bus key (a plaintext key file, protocol.md §5, 0600, made on first start), the
/// admin bearer token (<c>admin.token</c>, 0600, made on first start) and the admin URL (<c>admin.url</c>, rewritten at
/// every start so a CLI finds a port the OS picked).
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class GatewayFiles
{
    /// <summary>The bus key file of <paramref name="busKeyUri"/> (empty: <c>{dataDir}/gateway.key</c>).</summary>
    public static string BusKeyPath(string dataDir, string busKeyUri) =>
        string.IsNullOrEmpty(busKeyUri) ? Path.Combine(dataDir, GatewayConstants.BusKeyFileName) : FileUris.PathOf(busKeyUri);

    /// <summary>Loads the bus key, creating it (0600) when the file does not exist; <paramref name="created"/> says which.</summary>
    public static bool TryLoadOrCreateBusKey(string path, [NotNullWhen(true)] out WalletKey? key, out bool created, [NotNullWhen(false)] out string? error)
    {
        key = null;
        created = false;
        try
        {
            if (!File.Exists(path))
            {
                string? folder = Path.GetDirectoryName(path);
                if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                {
                    PrivateFiles.CreateDirectory(folder);
                }

                using WalletKey fresh = WalletKey.Generate();
                KeyFile.WritePlaintext(path, fresh);
                created = true;
            }

            key = KeyFile.ReadSecret(path, password: null);
            error = null;
            return true;
        }
        catch (Exception e) when (e is WalletException or IOException or UnauthorizedAccessException)
        {
            error = $"Cannot use the bus key {path} (gateway:busKeyUri): {e.Message}";
            return false;
        }
    }

    /// <summary>
    /// Loads the TLS listener's certificate from <c>{dataDir}/mqtt-tls.pem</c> (certificate and PKCS#8 key, 0600),
    /// creating a self-signed ECDSA P-256 one when the file does not exist; <paramref name="created"/> says which.
    /// Devices pin its SHA-256 (<see cref="TlsSha256"/>), so it is made once and kept: deleting the file means
    /// re-pinning every device that uses TLS.
    /// </summary>
    public static bool TryLoadOrCreateTlsCertificate(string dataDir, string subject, DateTimeOffset now, [NotNullWhen(true)] out X509Certificate2? certificate, out bool created, [NotNullWhen(false)] out string? error)
    {
        string path = Path.Combine(dataDir, GatewayConstants.TlsCertificateFileName);
        certificate = null;
        created = false;
        try
        {
            if (!File.Exists(path))
            {
                PrivateFiles.Write(path, Encoding.ASCII.GetBytes(CreateSelfSignedPem(subject, now)));
                created = true;
            }

            string pem = Encoding.ASCII.GetString(PrivateFiles.Read(path));
            certificate = X509Certificate2.CreateFromPem(pem, pem);
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                certificate = null;
                error = $"The TLS certificate {path} has no private key; delete it and restart to make a new one (then re-pin devices).";
                return false;
            }

            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            certificate?.Dispose();
            certificate = null;
            error = $"Cannot use the TLS certificate {path} (mqtt:tlsEnabled): {e.Message}. A damaged file can be deleted; the gateway then makes a new certificate, and devices must pin its new tlsSha256.";
            return false;
        }
    }

    /// <summary>The pin of <paramref name="certificate"/>: lowercase hex SHA-256 of its DER bytes (<c>tlsSha256</c> of <c>bte-firstboot.json</c>).</summary>
    public static string TlsSha256(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    private static string CreateSelfSignedPem(string subject, DateTimeOffset now)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        X500DistinguishedNameBuilder name = new();
        name.AddCommonName(subject);
        CertificateRequest request = new(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using X509Certificate2 certificate = request.CreateSelfSigned(now.AddDays(-1), now + GatewayConstants.TlsCertificateLifetime);
        return certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    /// <summary>Reads the admin token, creating a random one (0600) when missing.</summary>
    public static bool TryLoadOrCreateAdminToken(string dataDir, [NotNullWhen(true)] out string? token, [NotNullWhen(false)] out string? error)
    {
        string path = Path.Combine(dataDir, GatewayConstants.AdminTokenFileName);
        try
        {
            if (!File.Exists(path))
            {
                PrivateFiles.Write(path, Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n"));
            }

            token = Encoding.ASCII.GetString(PrivateFiles.Read(path)).Trim();
            if (token.Length < 32)
            {
                error = $"The admin token {path} is too short; delete it and restart to make a new one.";
                token = null;
                return false;
            }

            error = null;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            token = null;
            error = $"Cannot use the admin token {path}: {e.Message}";
            return false;
        }
    }

    /// <summary>Writes <c>admin.url</c> (0600; replaced atomically).</summary>
    public static void WriteAdminUrl(string dataDir, Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string path = Path.Combine(dataDir, GatewayConstants.AdminUrlFileName);
        PrivateFiles.Write(path, Encoding.UTF8.GetBytes(url.ToString() + "\n"));
    }

    /// <summary>The first line of the file named by a <c>file://</c> URI (the Home Assistant password), or null for an empty URI.</summary>
    public static bool TryReadSecretLine(string uri, string key, out string? secret, [NotNullWhen(false)] out string? error)
    {
        secret = null;
        error = null;
        if (string.IsNullOrEmpty(uri))
        {
            return true;
        }

        string path = FileUris.PathOf(uri);
        try
        {
            string text = Encoding.UTF8.GetString(PrivateFiles.Read(path));
            secret = text.Split('\n')[0].TrimEnd('\r');
            if (secret.Length == 0)
            {
                error = $"{key}: {path} is empty.";
                return false;
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{key}: cannot read {path}: {e.Message}";
            return false;
        }
    }
}

/// <summary>Private files: folders 0700, files 0600 from creation (temp → fsync → rename), and reads that refuse a file group or others can reach.</summary>
internal static class PrivateFiles
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotSupported();
        }

        Stack<string> missing = new();
        for (string? current = Path.GetFullPath(path); current is not null && !Directory.Exists(current); current = Path.GetDirectoryName(current))
        {
            missing.Push(current);
        }

        while (missing.TryPop(out string? directory))
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Replaces <paramref name="path"/> atomically with a 0600 file holding <paramref name="contents"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotSupported();
        }

        string temp = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp";
        FileStreamOptions options = new()
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        try
        {
            using (FileStream stream = new(temp, options))
            {
                stream.Write(contents);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Reads a small private file; an <see cref="UnauthorizedAccessException"/> when group or others can reach it.</summary>
    public static byte[] Read(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw NotSupported();
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
        {
            throw new UnauthorizedAccessException($"{path} is accessible by group or others (mode {Convert.ToString((int)mode, 8)}); it holds a secret. Fix it with: chmod 600 '{path}'");
        }

        byte[] contents = File.ReadAllBytes(path);
        if (contents.Length > 64 * 1024)
        {
            throw new IOException($"{path} is too large to be a secret file.");
        }

        return contents;
    }

    // bte-gateway runs on Linux (systemd, Unix modes); failing loudly elsewhere beats writing world-readable secrets.
    private static PlatformNotSupportedException NotSupported() =>
        new("bte-gateway keeps its secrets in files with Unix modes (0600); Windows is not supported.");
}
