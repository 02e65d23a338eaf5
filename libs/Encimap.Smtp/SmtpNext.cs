using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Encimap.Smtp;

/// <summary>What the host does after sending a step's reply.</summary>
public enum SmtpNext
{
    /// <summary>Read the next command line.</summary>
    Command,
    /// <summary>Read one line of an AUTH exchange (RFC 4954) and give it to <see cref="SmtpSession.HandleAuthResponseAsync"/>.</summary>
    AuthResponse,
    /// <summary>Read DATA content into <see cref="SmtpSession.BeginData"/>'s decoder, then call <see cref="SmtpSession.CompleteDataAsync"/>.</summary>
    Data,
    /// <summary>Read <see cref="SmtpStep.ChunkSize"/> octets into <see cref="SmtpSession.AppendChunk"/>, then call <see cref="SmtpSession.CompleteChunkAsync"/> (whose reply is sent).</summary>
    BdatChunk,
    /// <summary>Read and drop <see cref="SmtpStep.ChunkSize"/> octets, then send this step's reply.</summary>
    DiscardBdatChunk,
    /// <summary>Start TLS, then call <see cref="SmtpSession.OnTlsStarted"/>.</summary>
    StartTls,
    /// <summary>Close the connection.</summary>
    Close,
}
