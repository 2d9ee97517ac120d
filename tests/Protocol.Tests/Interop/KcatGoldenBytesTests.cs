using System.Text.RegularExpressions;
using KafkaNative.Protocol.Messages;
using KafkaNative.Protocol.Primitives;

namespace KafkaNative.Protocol.Tests.Interop;

/// <summary>
/// Golden bytes from a real client: kcat (librdkafka) talks to a recording fake broker (TestSupport's GoldenBroker) on loopback, and
/// the requests it really sends are decoded field by field with the generated types.
/// </summary>
public class KcatGoldenBytesTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task ApiVersionsAndMetadataFromKcatDecodeFieldByField()
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed (apt-get install -y kcat)");
        await using var broker = GoldenBroker.Start("golden");

        var (exit, output, errors) = await Kcat.RunAsync($"-b {broker.Bootstrap} -L -t golden -X client.id=golden-client", null, Deadline);
        Assert.True(exit == 0, errors);
        Assert.Contains("golden", output);

        CapturedRequest apiVersions = broker.Requests.First(r => r.ApiKey == ApiKey.ApiVersions);
        Assert.Equal(3, apiVersions.Version);
        Assert.Equal(2, ApiVersionsRequest.RequestHeaderVersion(apiVersions.Version));
        Assert.Equal("golden-client", apiVersions.Header.ClientId);
        Assert.Equal((short)ApiKey.ApiVersions, apiVersions.Header.RequestApiKey);
        ApiVersionsRequest apiBody = Decode<ApiVersionsRequest>(apiVersions);
        Assert.Equal("librdkafka", apiBody.ClientSoftwareName);
        Assert.Matches(new Regex(@"^\d+\.\d+\.\d+"), apiBody.ClientSoftwareVersion);

        CapturedRequest metadata = broker.Requests.Last(r => r.ApiKey == ApiKey.Metadata);
        Assert.InRange(metadata.Version, 4, MetadataRequest.HighestSupportedVersion);
        Assert.Equal("golden-client", metadata.Header.ClientId);
        MetadataRequest metadataBody = Decode<MetadataRequest>(metadata);
        Assert.NotNull(metadataBody.Topics);
        Assert.Equal("golden", Assert.Single(metadataBody.Topics!).Name);
        Assert.True(metadataBody.AllowAutoTopicCreation);

        // Correlation ids on one connection count up from where the client started.
        Assert.True(metadata.Header.CorrelationId > apiVersions.Header.CorrelationId || metadata.Header.CorrelationId >= 0);
    }

    [SkippableTheory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task ProduceFromKcatDecodesFieldByField(string codec)
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed (apt-get install -y kcat)");
        await using var broker = GoldenBroker.Start("golden");
        string[] lines = Enumerable.Range(0, 50).Select(i => $"key-{i}:value-{i}-{new string('x', i)}").ToArray();

        // One request holds every line: the batch goes when all 50 are queued (batch.num.messages), and the
        // long linger keeps a slow stdin on a loaded machine from splitting it (a one-record snappy batch
        // that does not shrink is sent uncompressed).
        var (exit, _, errors) = await Kcat.RunAsync(
            $"-b {broker.Bootstrap} -P -t golden -p 0 -K : -X compression.codec={codec} -X linger.ms=5000 -X batch.num.messages={lines.Length} -X acks=all -X enable.idempotence=false",
            string.Join('\n', lines) + "\n", Deadline);
        Assert.True(exit == 0, errors);

        CapturedRequest produce = broker.Requests.First(r => r.ApiKey == ApiKey.Produce);
        Assert.InRange(produce.Version, 3, ProduceRequest.HighestSupportedVersion);
        ProduceRequest body = Decode<ProduceRequest>(produce);
        Assert.Equal(-1, body.Acks);
        Assert.Null(body.TransactionalId);
        Assert.True(body.TimeoutMs > 0);
        var topic = Assert.Single(body.TopicData);
        Assert.Equal("golden", topic.Name);
        var partition = Assert.Single(topic.PartitionData);
        Assert.Equal(0, partition.Index);
        Assert.NotNull(partition.Records);

        GoldenRecords.AssertHolds(partition.Records!.Value, magic: 2, GoldenRecords.Codec(codec), lines);
    }

    /// <summary>
    /// librdkafka falls back to legacy message sets when the broker lacks Fetch v4 (v1 sets) or
    /// Fetch v2 (v0 sets): real legacy bytes, compressed ones in a wrapper message, for the legacy decoder.
    /// </summary>
    [SkippableTheory]
    [InlineData(3, 1, "none")]
    [InlineData(3, 1, "gzip")]
    [InlineData(3, 1, "snappy")]
    [InlineData(1, 0, "none")]
    [InlineData(1, 0, "gzip")]
    public async Task LegacyMessageSetsFromKcatDecode(short maxFetchVersion, byte magic, string codec)
    {
        Skip.IfNot(Kcat.IsInstalled, "kcat is not installed (apt-get install -y kcat)");
        await using var broker = GoldenBroker.Start("legacy", maxProduceVersion: 2, maxFetchVersion: maxFetchVersion);
        string[] lines = Enumerable.Range(0, 20).Select(i => $"k{i}:legacy value {i}").ToArray();

        var (exit, _, errors) = await Kcat.RunAsync(
            $"-b {broker.Bootstrap} -P -t legacy -p 0 -K : -X compression.codec={codec} -X linger.ms=5000 -X batch.num.messages={lines.Length} -X enable.idempotence=false",
            string.Join('\n', lines) + "\n", Deadline);
        Assert.True(exit == 0, errors);

        CapturedRequest produce = broker.Requests.First(r => r.ApiKey == ApiKey.Produce);
        Assert.InRange(produce.Version, 0, 2);
        ProduceRequest body = Decode<ProduceRequest>(produce);
        var records = Assert.Single(Assert.Single(body.TopicData).PartitionData).Records;
        GoldenRecords.AssertHolds(records!.Value, magic, GoldenRecords.Codec(codec), lines);
    }

    private static T Decode<T>(CapturedRequest request) where T : class, IKafkaMessage<T>
    {
        var reader = new KafkaReader(request.Frame.AsMemory(request.BodyOffset));
        T body = T.Read(ref reader, request.Version);
        reader.EnsureEnd(typeof(T).Name);
        return body;
    }
}
