using Encimap.Contracts.Certificates;
using Encimap.Contracts.Credentials;
using Encimap.Contracts.Intake;
using Encimap.ServiceDefaults.Security;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace Encimap.Grpc.Tests;

/// <summary>Which methods of the contracts clients retry: those the protos mark idempotent, nothing else.</summary>
public sealed class RetryPolicyTests
{
    [Fact]
    public void Only_methods_the_protos_mark_idempotent_are_retried()
    {
        Assert.Equal(["ResolveRecipient"], Retried(Intake.Descriptor));
        // GetDkimKey creates a domain's key at most once; SignDkim only reads it.
        Assert.Equal(["ExportBundle", "ExportPkcs12", "GetDkimKey", "GetRecipientCertificates", "SignDkim"], Retried(Certificates.Descriptor));
        Assert.Equal(["VerifyImapLogin", "VerifySmtpLogin"], Retried(Credentials.Descriptor));
    }

    [Fact]
    public void Retries_are_for_unavailable_only_three_at_most()
    {
        var policy = Assert.Single(InternalGrpcClients.RetryIdempotentMethods(Intake.Descriptor).MethodConfigs).RetryPolicy!;

        Assert.Equal([StatusCode.Unavailable], policy.RetryableStatusCodes);
        Assert.Equal(4, policy.MaxAttempts);
    }

    private static string[] Retried(ServiceDescriptor contract) =>
        InternalGrpcClients.RetryIdempotentMethods(contract).MethodConfigs
            .SelectMany(config => config.Names)
            .Select(name =>
            {
                Assert.Equal(contract.FullName, name.Service);
                return name.Method!;
            })
            .Order(StringComparer.Ordinal)
            .ToArray();
}
