using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Encimap.Contracts.Certificates;

namespace Encimap.Certificates;

/// <summary>A certificate with its private key, ready to go into a PKCS#12 file.</summary>
public sealed record KeyedCertificate(X509Certificate2 Certificate, RSA PrivateKey, string FriendlyName);
