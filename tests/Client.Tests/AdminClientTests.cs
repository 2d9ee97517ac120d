using KafkaNative.Admin;
using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Client.Tests;

/// <summary>Admin client behaviour a fake broker can pin down exactly; round trips against the simulated cluster live in the Sim tests.</summary>
public sealed class AdminClientTests
{
    [Fact]
    public async Task PerTopicErrorsBecomeKafkaErrorExceptionsWithTheCode()
    {
        await using var broker = new FakeBroker();
        broker.OnRequest = async request =>
        {
            if (request.ApiKey != ApiKey.CreateTopics) return false;
            var create = request.Read<CreateTopicsRequest>();
            var response = new CreateTopicsResponse();
            foreach (CreateTopicsRequest.CreatableTopic topic in create.Topics)
            {
                response.Topics.Add(topic.Name == "exists"
                    ? new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name, ErrorCode = (short)ErrorCode.TopicAlreadyExists, ErrorMessage = "Topic 'exists' already exists." }
                    : new CreateTopicsResponse.CreatableTopicResult { Name = topic.Name, NumPartitions = topic.NumPartitions, ReplicationFactor = topic.ReplicationFactor });
            }
            await request.RespondAsync(response);
            return true;
        };
        await using var admin = new KafkaAdminClient(TestOptions.For(broker.Bootstrap));

        await admin.CreateTopicsAsync([new NewTopic("fresh", 3, 1)]);
        var exception = await Assert.ThrowsAsync<KafkaErrorException>(() => admin.CreateTopicsAsync([new NewTopic("exists", 3, 1)]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, exception.ErrorCode);
        Assert.False(exception.IsRetriable);
        Assert.Contains("already exists", exception.Message);

        var both = await Assert.ThrowsAsync<KafkaErrorException>(() => admin.CreateTopicsAsync([new NewTopic("exists"), new NewTopic("fresh")]));
        Assert.Equal(ErrorCode.TopicAlreadyExists, both.ErrorCode);
        // The bootstrap connection closes once the broker is known by id; then one connection serves every call.
        await Eventually.TrueAsync(() => broker.Connections.Count(c => !c.IsClosed) == 1, "one open connection");
        Assert.InRange(broker.Accepted, 1, 2);
    }

    [Fact]
    public async Task DeleteTopicsUsesTheFieldsOfTheNegotiatedVersion()
    {
        var seen = new List<string>();
        await using var broker = new FakeBroker();
        broker.ApiVersions.ApiKeys.Single(a => a.ApiKey == (short)ApiKey.DeleteTopics).MaxVersion = 5;
        broker.OnRequest = async request =>
        {
            if (request.ApiKey != ApiKey.DeleteTopics) return false;
            Assert.Equal(5, request.Version);
            var delete = request.Read<DeleteTopicsRequest>();
            seen.AddRange(delete.TopicNames);
            await request.RespondAsync(new DeleteTopicsResponse { Responses = delete.TopicNames.Select(n => new DeleteTopicsResponse.DeletableTopicResult { Name = n }).ToList() });
            return true;
        };
        await using var admin = new KafkaAdminClient(TestOptions.For(broker.Bootstrap));
        await admin.DeleteTopicsAsync(["a", "b"]);
        Assert.Equal(["a", "b"], seen);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public async Task DescribeConfigsReportsDefaultsAtEveryVersion(short version)
    {
        // From v1 the response has no IsDefault: a default is the entry whose ConfigSource is DEFAULT_CONFIG (5).
        await using var broker = new FakeBroker();
        broker.ApiVersions.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.DescribeConfigs, MinVersion = 0, MaxVersion = version });
        broker.OnRequest = async request =>
        {
            if (request.ApiKey != ApiKey.DescribeConfigs) return false;
            Assert.Equal(version, request.Version);
            DescribeConfigsResponse.DescribeConfigsResourceResult Entry(string name, string value, bool isDefault) => version == 0
                ? new() { Name = name, Value = value, IsDefault = isDefault }
                : new() { Name = name, Value = value, ConfigSource = isDefault ? (sbyte)5 : (sbyte)1 };
            await request.RespondAsync(new DescribeConfigsResponse
            {
                Results = [new DescribeConfigsResponse.DescribeConfigsResult { ResourceType = 2, ResourceName = "t", Configs = [Entry("retention.ms", "1000", false), Entry("compression.type", "producer", true)] }],
            });
            return true;
        };
        await using var admin = new KafkaAdminClient(TestOptions.For(broker.Bootstrap));

        IReadOnlyList<ConfigEntry> entries = await admin.DescribeConfigsAsync(new ConfigResource(ConfigResourceType.Topic, "t"));

        Assert.Equal([new ConfigEntry("retention.ms", "1000", false, false, false), new ConfigEntry("compression.type", "producer", false, true, false)], entries);
    }
}
