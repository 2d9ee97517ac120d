using System.IO.Compression;
using System.Xml.Linq;
using KafkaNative.Sim;

namespace KafkaNative.Packaging.Tests;

/// <summary>
/// What `dotnet add package` gives a newcomer: the packages and their metadata, the README's quick start
/// built against them (no project references) and run against a simulated cluster, JIT and NativeAOT.
/// </summary>
public sealed class PackagesTests(PackedFeed feed) : IClassFixture<PackedFeed>
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(8);

    [Fact]
    public void EveryPackageCarriesItsMetadataReadmeAndSymbols()
    {
        string[] packages = [.. Directory.GetFiles(feed.Folder, "*.nupkg").Select(p => Path.GetFileName(p)[..^$".{feed.Version}.nupkg".Length]).Order()];
        Assert.Contains("KafkaNative", packages);
        Assert.Contains("KafkaNative.Sim.Cluster", packages);
        Assert.Contains("KafkaNative.Cli", packages);
        Assert.Contains("KafkaNative.Extensions.Hosting", packages);
        Assert.Contains("KafkaNative.OpenTelemetry", packages);
        // Benchmarks, tools, tests and the plumbing assemblies are not packages of their own.
        Assert.DoesNotContain(packages, p => p.Contains("Bench") || p.Contains("Tests") || p.Contains("ProtocolGen") || p.Contains("Fuzz") || p.Contains("Storm"));
        Assert.DoesNotContain(packages, p => p is "KafkaNative.Protocol" or "KafkaNative.Client" or "KafkaNative.Producer" or "KafkaNative.Consumer");

        foreach (string package in packages)
        {
            using ZipArchive zip = ZipFile.OpenRead(Path.Combine(feed.Folder, $"{package}.{feed.Version}.nupkg"));
            XElement metadata = Nuspec(zip);
            string Field(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? "";
            Assert.False(string.IsNullOrWhiteSpace(Field("description")) || Field("description") == "Package Description", $"{package} has no description");
            Assert.Equal("MIT", Field("license"));
            Assert.Equal("README.md", Field("readme"));
            Assert.NotNull(zip.GetEntry("README.md"));
            Assert.NotEmpty(Field("tags"));
            Assert.StartsWith("https://", metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("url")!.Value);
            Assert.True(File.Exists(Path.Combine(feed.Folder, $"{package}.{feed.Version}.snupkg")), $"{package} has no symbol package");
        }

        using ZipArchive client = ZipFile.OpenRead(Path.Combine(feed.Folder, $"KafkaNative.{feed.Version}.nupkg"));
        foreach (string assembly in new[] { "Protocol", "Client", "Producer", "Consumer" })
        {
            Assert.NotNull(client.GetEntry($"lib/net10.0/KafkaNative.{assembly}.dll"));
            Assert.NotNull(client.GetEntry($"lib/net10.0/KafkaNative.{assembly}.xml"));
        }
        using ZipArchive symbols = ZipFile.OpenRead(Path.Combine(feed.Folder, $"KafkaNative.{feed.Version}.snupkg"));
        Assert.NotNull(symbols.GetEntry("lib/net10.0/KafkaNative.Producer.pdb"));
    }

    [Fact]
    public void EveryPackableProjectIsBuiltBeforeThePackingTestsRun()
    {
        string references = File.ReadAllText(Path.Combine(PackedFeed.RepoRoot, "tests", "Packaging.Tests", "KafkaNative.Packaging.Tests.csproj"));
        foreach (string project in Directory.GetFiles(Path.Combine(PackedFeed.RepoRoot, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            if (File.ReadAllText(project).Contains("<IsPackable>true</IsPackable>", StringComparison.Ordinal))
                Assert.True(references.Contains(Path.GetFileName(project), StringComparison.Ordinal), $"{Path.GetFileName(project)} packs: reference it from this test project");
        }
    }

    [Fact]
    public void ThePackageReadmeShowsTheReadmesQuickStart()
    {
        string quickStart = QuickStart.Block(File.ReadAllText(QuickStart.ReadmePath), "Program.cs");
        Assert.Contains(quickStart, File.ReadAllText(QuickStart.PackageReadmePath));
    }

    [Fact]
    public async Task TheQuickStartBuildsFromThePackagesAndRoundTripsAMessage()
    {
        string program = QuickStart.Block(File.ReadAllText(QuickStart.ReadmePath), "Program.cs");
        string app = QuickStart.WriteApp(feed, "QuickStart", program);
        (await Dotnet.RunAsync(app, "build -c Release", BuildTimeout)).ShouldSucceed("building the quick start");

        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 3, BasePort = 0 });
        Dotnet.Result run = (await Dotnet.RunAsync(app, "run -c Release --no-build", TimeSpan.FromMinutes(2), Bootstrap(cluster))).ShouldSucceed("running the quick start");
        Assert.Contains("written to greetings[", run.Output);
        Assert.Contains("read alice: hello from offset 0", run.Output);
    }

    [Fact]
    public async Task TheQuickStartPublishesWithNativeAotWithoutWarningsAndRuns()
    {
        string program = QuickStart.Block(File.ReadAllText(QuickStart.ReadmePath), "Program.cs");
        string app = QuickStart.WriteApp(feed, "QuickStartAot", program, "<PublishAot>true</PublishAot>");
        Dotnet.Result publish = (await Dotnet.RunAsync(app, "publish -c Release -r linux-x64 -o out", BuildTimeout)).ShouldSucceed("publishing with NativeAOT");
        Assert.DoesNotContain("warning", publish.Output, StringComparison.OrdinalIgnoreCase);

        await using SimulatedCluster cluster = await SimulatedCluster.StartAsync(new ClusterOptions { Brokers = 1, BasePort = 0 });
        Dotnet.Result run = (await Dotnet.RunFileAsync(Path.Combine(app, "out", "QuickStartAot"), app, "", TimeSpan.FromMinutes(2), Bootstrap(cluster))).ShouldSucceed("running the NativeAOT quick start");
        Assert.Contains("read alice: hello from offset 0", run.Output);
    }

    [Fact]
    public async Task TheReadmesTransactionQuickStartBuildsFromThePackages()
    {
        string program = QuickStart.Block(File.ReadAllText(QuickStart.ReadmePath), "Transactions.cs");
        string app = QuickStart.WriteApp(feed, "TransactionQuickStart", program);
        (await Dotnet.RunAsync(app, "build -c Release", BuildTimeout)).ShouldSucceed("building the transaction quick start");
    }

    // What the hosting samples take from nuget.org beside our packages.
    private static readonly string[] HostingPackages =
    [
        "KafkaNative.Extensions.Hosting", "KafkaNative.OpenTelemetry", "Microsoft.Extensions.Hosting@10.0.14",
        "OpenTelemetry.Extensions.Hosting@1.21.0",
    ];

    [Fact]
    public async Task TheReadmesHostedQuickStartBuildsFromThePackages()
    {
        string program = QuickStart.Block(File.ReadAllText(QuickStart.ReadmePath), "Hosted.cs");
        Assert.Contains(program, File.ReadAllText(Path.Combine(PackedFeed.RepoRoot, "src", "Extensions.Hosting", "PACKAGE.md")));
        string app = QuickStart.WriteApp(feed, "HostedQuickStart", program, "", [.. HostingPackages, "OpenTelemetry.Exporter.Console@1.21.0"]);
        (await Dotnet.RunAsync(app, "build -c Release", BuildTimeout)).ShouldSucceed("building the hosted quick start");
    }

    [Fact]
    public async Task TheHostedSampleDeadLettersAFailingRecordStaysHealthyAndTracesSendToProcess_JitAndNativeAot()
    {
        string program = File.ReadAllText(Path.Combine(PackedFeed.RepoRoot, "tests", "Packaging.Tests", "Samples", "HostedSample.cs"));
        string app = QuickStart.WriteApp(feed, "HostedSample", program, "<PublishAot>true</PublishAot>",
            [.. HostingPackages, "KafkaNative.Sim.Cluster", "OpenTelemetry.Exporter.InMemory@1.21.0"]);
        Dotnet.Result run = await Dotnet.RunAsync(app, "run -c Release", BuildTimeout);
        Assert.True(run.ExitCode == 0 && run.Output.Contains("SAMPLE OK"), $"the hosted sample (JIT) failed:\n{run.Output}");

        Dotnet.Result publish = (await Dotnet.RunAsync(app, "publish -c Release -r linux-x64 -o out", BuildTimeout)).ShouldSucceed("publishing the hosted sample with NativeAOT");
        Assert.DoesNotContain("warning", publish.Output, StringComparison.OrdinalIgnoreCase);
        Dotnet.Result native = await Dotnet.RunFileAsync(Path.Combine(app, "out", "HostedSample"), app, "", TimeSpan.FromMinutes(3));
        Assert.True(native.ExitCode == 0 && native.Output.Contains("SAMPLE OK"), $"the hosted sample (NativeAOT) failed:\n{native.Output}");
    }

    [Fact]
    public async Task TheSimulatedClusterPackagesSampleBuildsAndRuns()
    {
        string program = QuickStart.FirstBlock(File.ReadAllText(Path.Combine(PackedFeed.RepoRoot, "src", "Sim", "Cluster", "PACKAGE.md")));
        string app = QuickStart.WriteApp(feed, "SimSample", program, "", "KafkaNative.Sim.Cluster");
        (await Dotnet.RunAsync(app, "build -c Release", BuildTimeout)).ShouldSucceed("building the simulated cluster's sample");
        (await Dotnet.RunAsync(app, "run -c Release --no-build", TimeSpan.FromMinutes(2))).ShouldSucceed("running the simulated cluster's sample");
    }

    [Fact]
    public async Task TheCliInstallsAsADotnetToolAndListsItsVerbs()
    {
        string tools = feed.NewAppFolder("tools");
        (await Dotnet.RunAsync(tools, $"tool install KafkaNative.Cli --version {feed.Version} --tool-path bin --configfile nuget.config", BuildTimeout))
            .ShouldSucceed("installing the kafkanative tool");
        Dotnet.Result help = (await Dotnet.RunFileAsync(Path.Combine(tools, "bin", "kafkanative"), tools, "--help", TimeSpan.FromMinutes(1))).ShouldSucceed("kafkanative --help");
        foreach (string verb in new[] { "produce", "consume", "metadata", "topic", "group", "transaction", "acl", "offsets", "cluster", "demo", "storm" })
            Assert.Contains(verb, help.Output);
    }

    private static Dictionary<string, string> Bootstrap(SimulatedCluster cluster) => new() { ["KAFKA_BOOTSTRAP"] = cluster.BootstrapServers };

    private static XElement Nuspec(ZipArchive zip)
    {
        ZipArchiveEntry entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using Stream stream = entry.Open();
        return XDocument.Load(stream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
    }
}
