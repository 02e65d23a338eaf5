using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Encimap.Mime;

namespace Encimap.Intake.Encryption;

/// <summary>The message as it is stored.</summary>
/// <param name="Content">The bytes served over IMAP.</param>
/// <param name="AlreadyEncrypted">The original was already S/MIME encrypted and is stored unchanged.</param>
public sealed record EncryptedMessage(byte[] Content, bool AlreadyEncrypted);
