using System.CommandLine;
using Encimap.Cli;

// No response files: arguments are addresses and names, and "@something" must stay literal.
var parser = new ParserConfiguration { ResponseFileTokenReplacer = null };
return await CliApplication.CreateRootCommand().Parse(args, parser).InvokeAsync();
