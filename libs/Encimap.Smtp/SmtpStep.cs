using System.Buffers;
using System.Diagnostics;
using System.Text;

namespace Encimap.Smtp;

/// <summary>A reply to send (null: none yet) and what to do next.</summary>
public readonly record struct SmtpStep(SmtpReply? Reply, SmtpNext Next = SmtpNext.Command, long ChunkSize = 0);
