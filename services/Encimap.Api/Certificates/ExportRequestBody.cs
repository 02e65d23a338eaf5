namespace Encimap.Api.Certificates;

/// <summary>Body of <c>POST /s2s/v1/p12</c> and <c>/bundle</c>; <c>profile</c> is <c>compatible</c> (default) or <c>modern</c>.</summary>
public sealed record ExportRequestBody(string? VaultboxId, string? Password, string? Profile);
