namespace Encimap.AppHost.Services;

/// <summary>
/// A service of the fleet run as one process: its built program as an executable that other
/// resources find by name (<c>WithReference</c> gives them <c>services__{name}__{endpoint}__0</c>).
/// </summary>
public sealed class ServiceResource(string name, string program, string workingDirectory)
    : ExecutableResource(name, program, workingDirectory), IFleetService;
