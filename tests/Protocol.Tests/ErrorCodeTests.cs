namespace KafkaNative.Protocol.Tests;

public class ErrorCodeTests
{
    [Theory]
    [InlineData(ErrorCode.UnknownServerError, -1, "UNKNOWN_SERVER_ERROR", false)]
    [InlineData(ErrorCode.None, 0, "NONE", false)]
    [InlineData(ErrorCode.UnknownTopicOrPartition, 3, "UNKNOWN_TOPIC_OR_PARTITION", true)]
    [InlineData(ErrorCode.NotLeaderOrFollower, 6, "NOT_LEADER_OR_FOLLOWER", true)]
    [InlineData(ErrorCode.RequestTimedOut, 7, "REQUEST_TIMED_OUT", true)]
    [InlineData(ErrorCode.MessageTooLarge, 10, "MESSAGE_TOO_LARGE", false)]
    [InlineData(ErrorCode.NotCoordinator, 16, "NOT_COORDINATOR", true)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, 29, "TOPIC_AUTHORIZATION_FAILED", false)]
    [InlineData(ErrorCode.NotController, 41, "NOT_CONTROLLER", true)]
    [InlineData(ErrorCode.OutOfOrderSequenceNumber, 45, "OUT_OF_ORDER_SEQUENCE_NUMBER", false)]
    [InlineData(ErrorCode.ConcurrentTransactions, 51, "CONCURRENT_TRANSACTIONS", true)]
    [InlineData(ErrorCode.KafkaStorageError, 56, "KAFKA_STORAGE_ERROR", true)]
    [InlineData(ErrorCode.FencedLeaderEpoch, 74, "FENCED_LEADER_EPOCH", true)]
    [InlineData(ErrorCode.ProducerFenced, 90, "PRODUCER_FENCED", false)]
    [InlineData(ErrorCode.UnknownTopicId, 100, "UNKNOWN_TOPIC_ID", true)]
    [InlineData(ErrorCode.TransactionAbortable, 120, "TRANSACTION_ABORTABLE", false)]
    [InlineData(ErrorCode.RebootstrapRequired, 129, "REBOOTSTRAP_REQUIRED", false)]
    [InlineData(ErrorCode.ShareSessionLimitReached, 133, "SHARE_SESSION_LIMIT_REACHED", true)]
    public void SpotChecks(ErrorCode code, short value, string name, bool retriable)
    {
        Assert.Equal(value, (short)code);
        Assert.Equal(name, code.Name());
        Assert.Equal(retriable, code.IsRetriable());
        Assert.True(code.IsKnown());
        Assert.False(string.IsNullOrWhiteSpace(code.Message()));
    }

    [Fact]
    public void EveryCodeFromMinusOneToMaxIsNamedOnce()
    {
        ErrorCode[] values = Enum.GetValues<ErrorCode>().OrderBy(v => (short)v).ToArray();
        Assert.Equal(135, values.Length);
        Assert.Equal(ErrorCodes.MaxKnownCode - (-1) + 1, values.Length);
        for (int i = 0; i < values.Length; i++) Assert.Equal(i - 1, (short)values[i]);

        var names = new HashSet<string>();
        foreach (ErrorCode code in values)
        {
            string name = code.Name();
            Assert.True(names.Add(name), name);
            // The enum member is the PascalCase form of the Kafka name.
            string pascal = string.Concat(name.Split('_').Select(w => w[0] + w[1..].ToLowerInvariant()));
            Assert.Equal(pascal, code.ToString());
        }
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(134)]
    [InlineData(short.MaxValue)]
    [InlineData(short.MinValue)]
    public void UnknownCodesDoNotThrow(short value)
    {
        var code = (ErrorCode)value;
        Assert.False(code.IsKnown());
        Assert.False(code.IsRetriable());
        Assert.Equal($"UNKNOWN_CODE_{value}", code.Name());
        Assert.False(string.IsNullOrEmpty(code.Message()));
    }

    [Fact]
    public void KnownCodeLookupsDoNotAllocate()
    {
        ErrorCode code = ErrorCode.NotLeaderOrFollower;
        _ = code.Name(); _ = code.Message(); _ = code.IsRetriable();
        long before = GC.GetAllocatedBytesForCurrentThread();
        int n = 0;
        for (int i = -1; i <= ErrorCodes.MaxKnownCode; i++)
        {
            var c = (ErrorCode)i;
            n += c.Name().Length + c.Message().Length + (c.IsRetriable() ? 1 : 0);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(n > 0);
    }
}
