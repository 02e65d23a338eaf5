namespace Encimap.LoginThrottling;

/// <summary>What to do with a login attempt before its credentials are checked.</summary>
/// <param name="Delay">How long to wait first (also before answering a refusal).</param>
/// <param name="Refused">True when the attempt must be refused without checking the credentials.</param>
public readonly record struct LoginAdmission(TimeSpan Delay, bool Refused);
