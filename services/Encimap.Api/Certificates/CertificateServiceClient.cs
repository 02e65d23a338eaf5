using Encimap.Contracts.Certificates;
using Grpc.Core;
using CertificatesContract = Encimap.Contracts.Certificates.Certificates;

namespace Encimap.Api.Certificates;

/// <summary>
/// The certificate service as the API's code uses it: the generated gRPC client, each call under
/// a deadline, its failures turned into <see cref="CertificateServiceException"/> so that no
/// gRPC status travels further than this class.
/// </summary>
public sealed class CertificateServiceClient(CertificatesContract.CertificatesClient client)
{
    public Task<IssuedCertificate> IssueAsync(IssueCertificateRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(client.IssueCertificateAsync(request, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken));

    public Task<ExportPkcs12Reply> ExportPkcs12Async(ExportRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(client.ExportPkcs12Async(request, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken));

    public Task<ExportBundleReply> ExportBundleAsync(ExportRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(client.ExportBundleAsync(request, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken));

    public Task<DkimKey> GetDkimKeyAsync(GetDkimKeyRequest request, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(client.GetDkimKeyAsync(request, deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken));

    private static async Task<TReply> CallAsync<TReply>(AsyncUnaryCall<TReply> call)
    {
        using (call)
        {
            try
            {
                return await call.ResponseAsync;
            }
            catch (RpcException e)
            {
                throw new CertificateServiceException(e.StatusCode switch
                {
                    StatusCode.InvalidArgument => CertificateServiceFailure.InvalidRequest,
                    StatusCode.NotFound => CertificateServiceFailure.NotFound,
                    _ => CertificateServiceFailure.Unavailable,
                }, e.Status.Detail, e);
            }
        }
    }
}
