using KafkaNative.Protocol;
using KafkaNative.Sim;
using Microsoft.Extensions.Time.Testing;
using static KafkaNative.Consumer.Tests.SimHelpers;

namespace KafkaNative.Consumer.Tests;

/// <summary>The group member's heartbeats and poll deadline run on <see cref="KafkaNative.Client.KafkaClientOptions.TimeProvider"/>.</summary>
public class ConsumerFakeTimeTests
{
    /// <summary>Options on <paramref name="time"/>; request timeouts far beyond anything the test advances, since the simulated broker answers in real time.</summary>
    private static ConsumerOptions FakeTimeOptions(SimulatedCluster sim, string group, FakeTimeProvider time)
    {
        ConsumerOptions options = Options(sim, group);
        options.TimeProvider = time;
        options.EnableAutoCommit = false;
        options.SessionTimeout = TimeSpan.FromSeconds(30);
        options.HeartbeatInterval = TimeSpan.FromSeconds(10);
        options.RequestTimeout = TimeSpan.FromHours(2);
        options.MaxPollInterval = TimeSpan.FromHours(1);
        return options;
    }

    [Fact]
    public async Task HeartbeatsComeOncePerIntervalOfTheFakeClock()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await sim.CreateTopicAsync("beats", 1, 1);
        await using var consumer = new KafkaConsumer<string?, string?>(FakeTimeOptions(sim, "g-fake-beats", time));
        consumer.Subscribe(["beats"]);
        // Small steps while joining: any backoff on the way passes, no timeout comes near.
        await time.AdvanceUntilAsync(() => consumer.Assignment.Count == 1, TimeSpan.FromMilliseconds(50), "the member assigned");
        string memberId = consumer.MemberId;

        int coordinator = sim.BrokerIds[0];
        long before = sim.RequestCount(coordinator, ApiKey.Heartbeat);
        DateTimeOffset from = time.GetUtcNow();
        await time.AdvanceUntilAsync(() => sim.RequestCount(coordinator, ApiKey.Heartbeat) >= before + 3, TimeSpan.FromSeconds(5), "three heartbeats");

        // Three beats span two 10 s intervals of the fake clock (less at most the last 50 ms step of the join).
        Assert.True(time.GetUtcNow() - from >= TimeSpan.FromSeconds(19.9), $"three heartbeats within {time.GetUtcNow() - from} of fake time");
        Assert.Equal(memberId, consumer.MemberId);
        Assert.Single(consumer.Assignment);
    }

    [Fact]
    public async Task AMemberThatStopsPollingLeavesOnceTheFakeClockPassesMaxPollInterval()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using SimulatedCluster sim = await StartAsync(brokers: 1);
        await sim.CreateTopicAsync("idle", 1, 1);
        await using var consumer = new KafkaConsumer<string?, string?>(FakeTimeOptions(sim, "g-fake-idle", time));
        consumer.Subscribe(["idle"]);
        await time.AdvanceUntilAsync(() => consumer.Assignment.Count == 1, TimeSpan.FromMilliseconds(50), "the member assigned");

        // The application never asks for records: an hour of MaxPollInterval passes in a few hundred advances.
        DateTimeOffset from = time.GetUtcNow();
        await time.AdvanceUntilAsync(() => sim.RequestCount(sim.BrokerIds[0], ApiKey.LeaveGroup) > 0, TimeSpan.FromMinutes(1), "the idle member to leave");
        Assert.True(time.GetUtcNow() - from >= TimeSpan.FromMinutes(59), $"left after {time.GetUtcNow() - from} of fake time");
    }
}
