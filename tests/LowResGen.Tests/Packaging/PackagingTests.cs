using System.Xml.Linq;

namespace LowResGen.Tests.Packaging;

/// <summary>
/// What `dotnet pack` relies on, read from the project files (packing itself takes minutes; scripts/measure-packages.sh
/// packs and measures, and docs/packaging.md has the numbers).
/// </summary>
public sealed class PackagingTests
{
    private static XDocument Project(string path) => XDocument.Load(Path.Combine(SharedData.RepositoryRoot, path));

    private static string? Property(XDocument project, string name) =>
        project.Descendants(name).Select(e => e.Value.Trim()).FirstOrDefault();

    [Fact]
    public void The_tool_packs_one_framework_dependent_package_per_platform_with_only_that_platforms_native_libraries()
    {
        var cli = Project("src/LowResGen.Cli/LowResGen.Cli.csproj");

        Assert.Equal("true", Property(cli, "PackAsTool"));
        Assert.Equal(["linux-arm64", "linux-x64", "osx-arm64", "win-x64"],
            Property(cli, "ToolPackageRuntimeIdentifiers")!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order());
        // Restore must bring in every listed platform's assets, and the packages stay framework-dependent (small).
        Assert.Equal("$(ToolPackageRuntimeIdentifiers)", Property(cli, "RuntimeIdentifiers"));
        Assert.Equal("false", Property(cli, "SelfContained"));
        var keepOnlyThisPlatform = Assert.Single(cli.Descendants("Target"), t => (string?)t.Attribute("Name") == "KeepOnlyThisPlatformsNativeLibraries");
        Assert.Equal("Publish", (string?)keepOnlyThisPlatform.Attribute("AfterTargets"));
        Assert.Contains("RemoveDir", keepOnlyThisPlatform.Elements().Select(e => e.Name.LocalName));
        // Lingua's 72 MB of language models stay out of every platform package (LinguaModelStore fetches them on first use).
        Assert.Contains(keepOnlyThisPlatform.Elements("RemoveDir"), r => (string?)r.Attribute("Directories") == "$(PublishDir)Lingua");
    }

    [Fact]
    public void The_library_packs_without_the_native_content_of_its_dependencies_and_nupkg_is_ignored()
    {
        var library = Project("src/LowResGen/LowResGen.csproj");

        Assert.Equal("LowResGen", Property(library, "PackageId"));
        Assert.Contains(library.Descendants("Content"), c => (string?)c.Attribute("Update") == "@(Content)" && (string?)c.Attribute("Pack") == "false");
        Assert.NotEqual("false", Property(library, "IsPackable"));
        var ignored = File.ReadAllLines(Path.Combine(SharedData.RepositoryRoot, ".gitignore")).Select(l => l.Trim());
        Assert.Contains(ignored, l => l is "/nupkg/" or "nupkg/");
    }
}
