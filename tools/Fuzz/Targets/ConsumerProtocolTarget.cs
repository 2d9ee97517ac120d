using KafkaNative.Consumer;
using KafkaNative.Consumer.Groups;
using KafkaNative.Fuzz.Engine;

namespace KafkaNative.Fuzz.Targets;

/// <summary>
/// Group members' subscriptions and the leader's assignments: bytes another client wrote, carried
/// inside JoinGroup and SyncGroup responses. Input: one byte (even: subscription, odd: assignment), then the bytes.
/// </summary>
internal static class ConsumerProtocolTarget
{
    public static FuzzTarget Create() => new("consumer-protocol", Run, Seeds);

    private static bool Run(byte[] input)
    {
        if (input.Length == 0) return false;
        if (input[0] % 2 == 0) ConsumerProtocol.DecodeSubscription("member", null, input.AsMemory(1));
        else ConsumerProtocol.DecodeAssignment(input.AsMemory(1));
        return true;
    }

    private static IEnumerable<byte[]> Seeds()
    {
        TopicPartition[] owned = [new("orders", 0), new("orders", 2), new("audit", 1)];
        for (short version = 0; version <= ConsumerProtocol.SubscriptionVersion; version++)
        {
            yield return [0, .. ConsumerProtocol.EncodeSubscription(["orders", "audit"], owned, 4, "rack-a", version)];
            yield return [1, .. ConsumerProtocol.EncodeAssignment(owned, version)];
        }
    }
}
