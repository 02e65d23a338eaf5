namespace Encimap.Deployment.Tests;

/// <summary>
/// The Kubernetes manifests under deploy/kubernetes render with kubectl kustomize and every object
/// passes the Kubernetes and CloudNativePG schemas and the fleet's rules; a broken copy fails.
/// </summary>
public sealed class KubernetesManifestTests
{
    [Fact]
    public async Task TheProductionOverlayRendersAndEveryObjectIsValid()
    {
        var run = await ManifestValidation.RunAsync();

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("objects valid", run.Output, StringComparison.Ordinal);
        foreach (var kinds in new[] { "6 Deployment", "6 PodDisruptionBudget", "3 HorizontalPodAutoscaler", "1 Cluster", "1 Job" })
        {
            Assert.Contains(kinds, run.Output, StringComparison.Ordinal);
        }
    }

    // Each case breaks one file of a copy of the manifests the way an edit could.
    [Theory]
    [InlineData("base/smtp.yaml", "readinessProbe:", "readynessProbe:", "readynessProbe")]                       // misspelt field
    [InlineData("base/autoscaling.yaml", "minReplicas: 2", "minReplicas: two", "minReplicas")]                  // wrong type
    [InlineData("base/postgres-cluster.yaml", "dataDurability: required", "dataDurabilty: required", "dataDurabilty")] // misspelt CRD field
    [InlineData("base/postgres-cluster.yaml", "method: any", "method: all", "ClusterSpecPostgresqlSynchronousMethod")]  // value outside the CRD's enum
    [InlineData("base/gateway.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "read-only")]  // a fleet rule
    public async Task ABrokenManifestFailsValidation(string file, string original, string broken, string reported)
    {
        var copy = Directory.CreateTempSubdirectory("encimap-kubernetes-");
        try
        {
            CopyDirectory(Path.Combine(ManifestValidation.KubernetesDirectory, "base"), Path.Combine(copy.FullName, "base"));
            CopyDirectory(Path.Combine(ManifestValidation.KubernetesDirectory, "overlays"), Path.Combine(copy.FullName, "overlays"));
            var path = Path.Combine(copy.FullName, file);
            var text = await File.ReadAllTextAsync(path);
            Assert.Contains(original, text, StringComparison.Ordinal);
            await File.WriteAllTextAsync(path, text.Replace(original, broken, StringComparison.Ordinal));

            var run = await ManifestValidation.RunAsync(Path.Combine(copy.FullName, "overlays", "production"));

            Assert.True(run.ExitCode != 0, run.ToString());
            Assert.Contains(reported, run.Error, StringComparison.Ordinal);
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    private static void CopyDirectory(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
