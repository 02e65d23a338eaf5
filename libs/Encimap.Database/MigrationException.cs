using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Encimap.Database;

/// <summary>A migration could not be applied, or the database's migration history does not match the code's.</summary>
public sealed class MigrationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MigrationException(string message, int? version = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Version = version;
    }

    /// <summary>The migration concerned, when there is one.</summary>
    public int? Version { get; }
}
