namespace KafkaNative.Consumer.Tests;

public class OptionsTests
{
    private static ConsumerOptions Valid() => new() { BootstrapServers = "localhost:9092", GroupId = "g" };

    [Fact]
    public void Valid_Passes() => Valid().Validate();

    [Theory]
    [InlineData("HeartbeatInterval")]
    [InlineData("AssignmentStrategies")]
    [InlineData("GroupInstanceId")]
    [InlineData("MaxPartitionFetchBytes")]
    [InlineData("BootstrapServers")]
    [InlineData("MaxPollInterval")]
    [InlineData("TopicMetadataPropagationMax")]
    [InlineData("CorruptRecordHandling")]
    [InlineData("RetryBackoffMax")]
    public void Invalid_NamesTheSetting(string setting)
    {
        ConsumerOptions options = Valid();
        switch (setting)
        {
            case "HeartbeatInterval": options.HeartbeatInterval = options.SessionTimeout; break;
            case "AssignmentStrategies": options.AssignmentStrategies = [PartitionAssignmentStrategy.CooperativeSticky, PartitionAssignmentStrategy.Range]; break;
            case "GroupInstanceId": options.GroupId = null; options.GroupInstanceId = "x"; break;
            case "MaxPartitionFetchBytes": options.MaxPartitionFetchBytes = 10; break;
            case "BootstrapServers": options.BootstrapServers = ""; break;
            case "MaxPollInterval": options.MaxPollInterval = options.HeartbeatInterval; break;
            case "TopicMetadataPropagationMax": options.TopicMetadataPropagationMax = TimeSpan.Zero; break;
            case "CorruptRecordHandling": options.CorruptRecordHandling = (CorruptRecordHandling)7; break;
            case "RetryBackoffMax": options.RetryBackoffMax = options.RetryBackoff / 2; break;
        }
        var error = Assert.ThrowsAny<ArgumentException>(options.Validate);
        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public async Task Subscribe_WithoutGroup_And_AssignAfterSubscribe_AreRejected()
    {
        await using (var consumer = new KafkaConsumer<string?, string?>(new ConsumerOptions { BootstrapServers = "localhost:1" }))
        {
            Assert.Throws<InvalidOperationException>(() => consumer.Subscribe(["t"]));
            Assert.Throws<InvalidOperationException>(() => consumer.Position(new TopicPartition("t", 0)));
        }
        await using var grouped = new KafkaConsumer<string?, string?>(Valid());
        grouped.Subscribe(["t"]);
        Assert.Throws<InvalidOperationException>(() => grouped.Assign([new TopicPartition("t", 0)]));
    }
}
