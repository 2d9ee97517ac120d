using KafkaNative.ProtocolGen;

namespace KafkaNative.Protocol.Tests.Messages;

public class GeneratedCodeIsCurrentTests
{
    [SkippableFact]
    public void CommittedCodeMatchesWhatTheGeneratorWritesFromTheSchemas()
    {
        Skip.IfNot(RepoPaths.HasSchemas, "../shared/kafka-protocol/message is absent");

        string temp = Directory.CreateTempSubdirectory("kafkanative-gen-").FullName;
        try
        {
            Generator.WriteTo(RepoPaths.SchemaDirectory, temp);
            var expected = Directory.GetFiles(temp, "*.g.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            var committed = Directory.GetFiles(RepoPaths.GeneratedDirectory, "*.g.cs").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, committed);

            var stale = expected.Where(name =>
                File.ReadAllText(Path.Combine(temp, name!)) != File.ReadAllText(Path.Combine(RepoPaths.GeneratedDirectory, name!))).ToList();
            Assert.True(stale.Count == 0, "Regenerate (see README); these differ: " + string.Join(", ", stale));
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [SkippableFact]
    public void EverySchemaFileHasAGeneratedType()
    {
        Skip.IfNot(RepoPaths.HasSchemas, "../shared/kafka-protocol/message is absent");
        var assembly = typeof(ApiKey).Assembly;
        foreach (string file in Directory.GetFiles(RepoPaths.SchemaDirectory, "*.json"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            Assert.NotNull(assembly.GetType("KafkaNative.Protocol.Messages." + name));
        }
    }
}
