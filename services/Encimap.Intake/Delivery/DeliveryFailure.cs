namespace Encimap.Intake.Delivery;

/// <summary>Why a delivery stored nothing.</summary>
public enum DeliveryFailure
{
    /// <summary>A dependency (database, certificate service) did not answer: retry later.</summary>
    Unavailable,

    /// <summary>The vaultbox has no active certificate: nothing can be encrypted for it until one is issued.</summary>
    NoCertificate,

    /// <summary>The requested folder does not exist in a recipient's vaultbox.</summary>
    MailboxMissing,

    /// <summary>
    /// A recipient's route changed between its resolution and the commit (an address no longer
    /// delivers to the vaultbox, or the vaultbox's encryption settings changed): resolve again.
    /// </summary>
    RouteChanged,

    /// <summary>A defect: logged with its exception, answered without details.</summary>
    Internal,
}
