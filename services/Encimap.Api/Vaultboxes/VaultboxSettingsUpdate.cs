using System.Text.Json;
using System.Text.Json.Nodes;
using Encimap.Api.Infrastructure;

namespace Encimap.Api.Vaultboxes;

/// <summary>
/// Body of <c>PATCH /s2s/v1/vaultboxes/{id}</c>: the settings to change, each absent one left as
/// it is. Today one setting: <c>dmarc_enforcement</c> (one of <see cref="DmarcEnforcementSetting.All"/>,
/// or null for the deployment's). Unknown fields are refused rather than ignored, so that a
/// misspelt setting does not read as success.
/// </summary>
public sealed record VaultboxSettingsUpdate(bool ChangesDmarcEnforcement, string? DmarcEnforcement)
{
    private const string DmarcField = "dmarc_enforcement";

    /// <summary>The update the body asks for, or the 400 that says what is wrong with it.</summary>
    public static (VaultboxSettingsUpdate? Update, IResult? Error) From(JsonObject body)
    {
        if (body.Select(p => p.Key).FirstOrDefault(k => k != DmarcField) is { } unknown)
        {
            return (null, ApiResults.Validation($"unknown setting '{unknown}'; settable: {DmarcField}"));
        }

        if (!body.TryGetPropertyValue(DmarcField, out var node))
        {
            return (null, ApiResults.Validation($"nothing to change; settable: {DmarcField}"));
        }

        if (node is null)
        {
            return (new VaultboxSettingsUpdate(true, null), null);
        }

        if (node.GetValueKind() == JsonValueKind.String && DmarcEnforcementSetting.Normalize(node.GetValue<string>()) is { } value)
        {
            return (new VaultboxSettingsUpdate(true, value), null);
        }

        return (null, ApiResults.Validation(
            $"{DmarcField} must be one of {string.Join(", ", DmarcEnforcementSetting.All)}, or null for the deployment's setting"));
    }
}
