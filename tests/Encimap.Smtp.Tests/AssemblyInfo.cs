// The shared test framework (it stops the test PostgreSQL cluster if a test started one).
[assembly: Xunit.TestFramework("Encimap.Testing.PostgresTestFramework", "Encimap.Testing")]
