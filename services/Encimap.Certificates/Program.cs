using Encimap.Certificates;
using Microsoft.Extensions.Options;

// Everything but the process entry lives in CertificatesApplication, so that tests start the
// same application in-process.
WebApplication app;
try
{
    app = CertificatesApplication.Build(args);
}
catch (Exception e) when (e is InvalidOperationException or OptionsValidationException)
{
    // A configuration that cannot work (no database, no key-encryption key): say why, plainly.
    Console.Error.WriteLine($"Encimap.Certificates cannot start: {e.Message}");
    return 1;
}

await app.RunAsync();
return 0;
