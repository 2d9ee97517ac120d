using KafkaNative.Client.Tests.Fakes;
using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.Client.Tests;

/// <summary>The shared fake broker itself: it must parse the header of any API a test scripts, not a fixed list.</summary>
public sealed class FakeBrokerTests
{
    [Theory]
    [InlineData(1)] // request header v1
    [InlineData(5)] // flexible: request header v2, with tagged fields
    public async Task ARequestOfAnApiWithoutADefaultHandlerReachesOnRequestWithItsHeaderParsed(short version)
    {
        await using var broker = new FakeBroker();
        broker.ApiVersions.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)ApiKey.InitProducerId, MinVersion = 0, MaxVersion = version });
        var seen = new TaskCompletionSource<FakeRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        broker.OnRequest = async request =>
        {
            if (request.ApiKey != ApiKey.InitProducerId) return false;
            seen.TrySetResult(request);
            await request.RespondAsync(new InitProducerIdResponse { ProducerId = 42, ProducerEpoch = 7 });
            return true;
        };
        await using BrokerConnection connection = await TestOptions.ConnectAsync(broker);

        InitProducerIdResponse response = await connection.SendAsync<InitProducerIdRequest, InitProducerIdResponse>(
            new InitProducerIdRequest { TransactionalId = "tx", TransactionTimeoutMs = 1000 });

        Assert.Equal(42, response.ProducerId);
        FakeRequest request = await seen.Task;
        Assert.Equal(version, request.Version);
        Assert.Equal("client-tests", request.ClientId);
        Assert.Equal("tx", request.Read<InitProducerIdRequest>().TransactionalId);
        Assert.Equal(1, broker.Count(ApiKey.InitProducerId));
    }
}
