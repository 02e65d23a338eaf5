// Stops the shared test cluster when the run ends.
[assembly: Xunit.TestFramework("Encimap.Testing.PostgresTestFramework", "Encimap.Testing")]

// The fleets are whole process groups on a small machine, and one test class takes its database
// away on purpose: run the collections one after the other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
