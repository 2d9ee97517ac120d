using KafkaNative.Consumer.Fetching;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Consumer.Tests;

public class AbortedTransactionFilterTests
{
    [Fact]
    public void BatchesOfAnAbortedTransaction_AreSkippedUntilItsMarker()
    {
        var filter = new AbortedTransactionFilter();
        filter.Reset([new FetchResponse.AbortedTransaction { ProducerId = 7, FirstOffset = 10 }]);
        Assert.False(filter.IsAborted(7, 5));   // before the aborted transaction started
        Assert.True(filter.IsAborted(7, 12));   // inside it
        Assert.False(filter.IsAborted(8, 12));  // another producer
        filter.OnAbortMarker(7, 13);
        Assert.False(filter.IsAborted(7, 20));  // a later, committed transaction of the same producer
    }
}
