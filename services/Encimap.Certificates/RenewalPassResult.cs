using Encimap.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Encimap.Certificates;

/// <summary>What one renewal pass did.</summary>
public sealed record RenewalPassResult(int Renewed, int MarkedExpired, int Failed);
