using KafkaNative.Consumer.Assignors;

namespace KafkaNative.Consumer.Tests;

public class AssignorTests
{
    private static GroupMemberSubscription Member(string id, params string[] topics) => new(id, null, topics, []);

    private static string Show(List<TopicPartition> partitions) => string.Join(",", partitions.Select(p => $"{p.Topic}{p.Partition}"));

    [Fact]
    public void Range_KnownAnswer_JavaDocExample()
    {
        // Java's RangeAssignor doc: C0 and C1 on t0 and t1 with 3 partitions each.
        var result = new RangeAssignor().Assign(new Dictionary<string, int> { ["t0"] = 3, ["t1"] = 3 }, [Member("C1", "t0", "t1"), Member("C0", "t0", "t1")]);
        Assert.Equal("t00,t01,t10,t11", Show(result["C0"]));
        Assert.Equal("t02,t12", Show(result["C1"]));
    }

    [Fact]
    public void Range_KnownAnswer_UnevenAndPartialSubscriptions()
    {
        var result = new RangeAssignor().Assign(
            new Dictionary<string, int> { ["a"] = 5, ["b"] = 2 },
            [Member("m1", "a"), Member("m2", "a", "b"), Member("m3", "a", "b")]);
        Assert.Equal("a0,a1", Show(result["m1"]));
        Assert.Equal("a2,a3,b0", Show(result["m2"]));
        Assert.Equal("a4,b1", Show(result["m3"]));
    }

    [Fact]
    public void Range_SortsByGroupInstanceIdWhenStatic()
    {
        var result = new RangeAssignor().Assign(new Dictionary<string, int> { ["t"] = 2 },
            [new GroupMemberSubscription("aaa", "z-instance", ["t"], []), new GroupMemberSubscription("zzz", "a-instance", ["t"], [])]);
        Assert.Equal("t0", Show(result["zzz"]));
        Assert.Equal("t1", Show(result["aaa"]));
    }

    [Fact]
    public void RoundRobin_KnownAnswer_JavaDocExample()
    {
        var result = new RoundRobinAssignor().Assign(new Dictionary<string, int> { ["t0"] = 3, ["t1"] = 3 }, [Member("C0", "t0", "t1"), Member("C1", "t0", "t1")]);
        Assert.Equal("t00,t02,t11", Show(result["C0"]));
        Assert.Equal("t01,t10,t12", Show(result["C1"]));
    }

    [Fact]
    public void RoundRobin_KnownAnswer_HeterogeneousSubscriptions()
    {
        // Java doc: C0 [t0], C1 [t0, t1], C2 [t0, t1, t2]; t0 has 1 partition, t1 2, t2 3.
        var result = new RoundRobinAssignor().Assign(
            new Dictionary<string, int> { ["t0"] = 1, ["t1"] = 2, ["t2"] = 3 },
            [Member("C0", "t0"), Member("C1", "t0", "t1"), Member("C2", "t0", "t1", "t2")]);
        Assert.Equal("t00", Show(result["C0"]));
        Assert.Equal("t10", Show(result["C1"]));
        Assert.Equal("t11,t20,t21,t22", Show(result["C2"]));
    }

    [Fact]
    public void CooperativeSticky_FreshGroup_Balanced()
    {
        var result = new CooperativeStickyAssignor().Assign(new Dictionary<string, int> { ["t"] = 6 }, [Member("a", "t"), Member("b", "t"), Member("c", "t")]);
        Assert.Equal("t0,t3", Show(result["a"]));
        Assert.Equal("t1,t4", Show(result["b"]));
        Assert.Equal("t2,t5", Show(result["c"]));
    }

    [Fact]
    public void CooperativeSticky_MemberJoins_KeepsPartitionsSticky_AndHandsOverInTwoRounds()
    {
        var assignor = new CooperativeStickyAssignor();
        var topics = new Dictionary<string, int> { ["t"] = 6 };
        var first = assignor.Assign(topics, [Member("a", "t"), Member("b", "t"), Member("c", "t")]);

        // "d" joins; everyone reports what it owns.
        GroupMemberSubscription Owning(string id, Dictionary<string, List<TopicPartition>> from, int generation) =>
            new(id, null, ["t"], from.TryGetValue(id, out var owned) ? owned : [], generation);
        var second = assignor.Assign(topics, [Owning("a", first, 1), Owning("b", first, 1), Owning("c", first, 1), Owning("d", first, 1)]);

        // Round 1: nobody gains a partition someone else still owns; each keeps all but at most one of its own.
        foreach (string member in new[] { "a", "b", "c" })
        {
            Assert.All(second[member], p => Assert.Contains(p, first[member]));
            Assert.True(first[member].Count - second[member].Count <= 1);
        }
        Assert.Empty(second["d"]);
        int revoked = 6 - second.Values.Sum(v => v.Count);
        Assert.Equal(1, revoked);

        // Round 2 (after the revocation): the freed partition goes to "d"; the others do not move.
        var third = assignor.Assign(topics, [Owning("a", second, 2), Owning("b", second, 2), Owning("c", second, 2), Owning("d", second, 2)]);
        foreach (string member in new[] { "a", "b", "c" }) Assert.Equal(second[member], third[member]);
        Assert.Single(third["d"]);
        Assert.Equal(6, third.Values.SelectMany(v => v).Distinct().Count());
        Assert.All(third.Values, v => Assert.InRange(v.Count, 1, 2));
    }

    [Fact]
    public void CooperativeSticky_MemberLeaves_OthersKeepTheirs()
    {
        var assignor = new CooperativeStickyAssignor();
        var topics = new Dictionary<string, int> { ["t"] = 7 };
        var first = assignor.Assign(topics, [Member("a", "t"), Member("b", "t"), Member("c", "t")]);
        var second = assignor.Assign(topics, [new("a", null, ["t"], first["a"], 1), new("b", null, ["t"], first["b"], 1)]);
        Assert.All(first["a"], p => Assert.Contains(p, second["a"]));
        Assert.All(first["b"], p => Assert.Contains(p, second["b"]));
        Assert.Equal(7, second["a"].Count + second["b"].Count);
        Assert.InRange(Math.Abs(second["a"].Count - second["b"].Count), 0, 1);
    }

    [Fact]
    public void CooperativeSticky_ConflictingOwners_NewestGenerationWins()
    {
        var result = new CooperativeStickyAssignor().Assign(new Dictionary<string, int> { ["t"] = 2 },
            [new("a", null, ["t"], [new("t", 0)], 3), new("b", null, ["t"], [new("t", 0)], 5)]);
        Assert.Equal("t0", Show(result["b"]));
        Assert.Equal("t1", Show(result["a"]));
    }

    [Fact]
    public void Assignors_DropPartitionsOfUnknownTopics_AndGiveEveryMemberAnEntry()
    {
        foreach (IPartitionAssignor assignor in new IPartitionAssignor[] { new RangeAssignor(), new RoundRobinAssignor(), new CooperativeStickyAssignor() })
        {
            var result = assignor.Assign(new Dictionary<string, int> { ["t"] = 1 }, [Member("a", "t", "missing"), Member("b", "missing")]);
            Assert.Equal(2, result.Count);
            Assert.Equal("t0", Show(result["a"]));
            Assert.Empty(result["b"]);
        }
    }
}
