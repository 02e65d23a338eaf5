// Stops the shared test cluster when the run ends.
[assembly: Xunit.TestFramework("Encimap.Testing.PostgresTestFramework", "Encimap.Testing")]
