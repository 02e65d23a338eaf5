using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Encimap.Contracts.Certificates;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace Encimap.Certificates;

/// <summary>A request the service will not issue for (bad address, key size or validity).</summary>
public sealed class InvalidCertificateRequestException(string message) : Exception(message);
