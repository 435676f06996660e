using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LowResGen.Tests.Cli;

/// <summary>The README's C# example compiles as written, against the library and what it references.</summary>
public sealed partial class ReadmeSnippetTests
{
    /// <summary>What a `dotnet new console` project gets from ImplicitUsings, which the README's example relies on.</summary>
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [Fact]
    public void Every_csharp_block_of_the_README_compiles()
    {
        var blocks = CSharpBlocks(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")));

        Assert.NotEmpty(blocks);
        foreach (var block in blocks)
        {
            var errors = Compile(block);
            Assert.True(errors.Count == 0, "The README's C# example does not compile:\n" + string.Join('\n', errors) + "\n---\n" + block);
        }
    }

    [Fact]
    public void A_README_example_with_a_mistake_fails_the_check()
    {
        var block = CSharpBlocks(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")))[0];

        // The example as it stood before this test existed: it used a token `ct` it never declared.
        var errors = Compile(string.Join('\n', block.Split('\n').Where(line => !line.StartsWith("var ct =", StringComparison.Ordinal))));
        var misspelled = Compile(block.Replace("result.Accepted.Count", "result.Acepted.Count", StringComparison.Ordinal));

        Assert.Contains(errors, e => e.Contains("CS0103", StringComparison.Ordinal) && e.Contains("'ct'", StringComparison.Ordinal));
        Assert.Contains(misspelled, e => e.Contains("Acepted", StringComparison.Ordinal));
    }

    private static List<string> CSharpBlocks(string markdown) =>
        [.. CSharpBlock().Matches(markdown.ReplaceLineEndings("\n")).Select(m => m.Groups["code"].Value)];

    [GeneratedRegex(@"^```csharp\n(?<code>.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    /// <returns>The compiler's errors, one line each; empty when the code compiles.</returns>
    private static List<string> Compile(string program)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create("ReadmeExample",
            [CSharpSyntaxTree.ParseText(ImplicitUsings, parse), CSharpSyntaxTree.ParseText(program, parse, path: "README.md")],
            References(),
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        return [.. emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString())];
    }

    /// <summary>The framework and every managed assembly the test host loads from, LowResGen.dll and its packages included.</summary>
    private static List<MetadataReference> References()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(LowResGen.Generation.GenerationRunner).Assembly.Location)
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase));
        return [.. paths.DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase).Select(p => MetadataReference.CreateFromFile(p))];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LowResGen.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the checkout root (LowResGen.slnx) above " + AppContext.BaseDirectory);
    }
}
