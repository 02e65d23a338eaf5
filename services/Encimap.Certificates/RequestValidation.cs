using Encimap.Grpc;

namespace Encimap.Certificates;

internal static class RequestValidation
{
    public static Guid ParseVaultboxId(string value) =>
        Guid.TryParseExact(value, "D", out var id)
            ? id
            : throw new GrpcStatusException(StatusCode.InvalidArgument, "vaultbox_id must be a UUID");
}
