// Stops the shared test cluster when the run ends.
[assembly: Xunit.TestFramework("Encimap.Testing.PostgresTestFramework", "Encimap.Testing")]
// One fleet, one set of ports: the collections run one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
