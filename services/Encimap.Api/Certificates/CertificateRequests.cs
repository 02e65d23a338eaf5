namespace Encimap.Api.Certificates;

/// <summary>Body of <c>POST /s2s/v1/generate-certificate</c>.</summary>
public sealed record GenerateCertificateRequest(string? Email, int? Days);
