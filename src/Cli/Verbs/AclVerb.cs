using System.CommandLine;
using KafkaNative.Admin;
using KafkaNative.Cli.Output;
using static KafkaNative.Cli.EnumOptions;

namespace KafkaNative.Cli.Verbs;

/// <summary>
/// <c>acl list|create|delete</c>: access control bindings, as kafka-acls manages them. Values are the enum names
/// of <see cref="AclBinding"/>, case and dashes ignored (<c>--resource-type transactional-id</c>).
/// </summary>
internal static class AclVerb
{
    public static Command Create(CliConsole console) => new("acl", "List, create or delete access control bindings")
    {
        ListAcls(console), CreateAcl(console), DeleteAcls(console),
    };

    /// <summary>The options that describe a binding; for list and delete, each left out matches anything.</summary>
    private sealed class BindingOptions(bool forFilter)
    {
        public Option<string?> ResourceType { get; } = new("--resource-type") { Description = "topic, group, cluster, transactional-id, delegation-token, user" + (forFilter ? " (default: any)" : ""), Required = !forFilter };
        public Option<string?> ResourceName { get; } = new("--resource-name") { Description = "Resource name (a topic name, a prefix with --pattern-type prefixed, * for all)", Required = !forFilter };
        public Option<string?> PatternType { get; } = new("--pattern-type") { Description = forFilter ? "literal, prefixed, match or any (default: any)" : "literal (default) or prefixed" };
        public Option<string?> Principal { get; } = new("--principal") { Description = "e.g. User:alice" + (forFilter ? " (default: any)" : ""), Required = !forFilter };
        public Option<string?> Host { get; } = new("--host") { Description = forFilter ? "Host (default: any)" : "Host the binding applies to (default: *)" };
        public Option<string?> Operation { get; } = new("--operation") { Description = "read, write, create, delete, alter, describe, all, ..." + (forFilter ? " (default: any)" : ""), Required = !forFilter };
        public Option<string?> Permission { get; } = new("--permission") { Description = forFilter ? "allow, deny or any (default: any)" : "allow (default) or deny" };

        public void AddTo(Command command)
        {
            foreach (Option option in new Option[] { ResourceType, ResourceName, PatternType, Principal, Host, Operation, Permission }) command.Options.Add(option);
        }

        public AclBinding Binding(ParseResult result) => new(
            Parse(result.GetValue(ResourceType), AclResourceType.Unknown, "--resource-type"),
            result.GetValue(ResourceName)!,
            Parse(result.GetValue(PatternType), AclPatternType.Literal, "--pattern-type"),
            result.GetValue(Principal)!,
            result.GetValue(Host) ?? "*",
            Parse(result.GetValue(Operation), AclOperation.Unknown, "--operation"),
            Parse(result.GetValue(Permission), AclPermissionType.Allow, "--permission"));

        public AclBindingFilter Filter(ParseResult result) => new(
            Parse(result.GetValue(ResourceType), AclResourceType.Any, "--resource-type"),
            result.GetValue(ResourceName),
            Parse(result.GetValue(PatternType), AclPatternType.Any, "--pattern-type"),
            result.GetValue(Principal),
            result.GetValue(Host),
            Parse(result.GetValue(Operation), AclOperation.Any, "--operation"),
            Parse(result.GetValue(Permission), AclPermissionType.Any, "--permission"));
    }

    private static Command ListAcls(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var binding = new BindingOptions(forFilter: true);
        var command = new Command("list", "List the bindings that match the filter (all by default)");
        binding.AddTo(command);
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            await using KafkaAdminClient admin = connection.Admin(result);
            IReadOnlyList<AclBinding> bindings = await admin.DescribeAclsAsync(binding.Filter(result), ct);
            await using StreamWriter output = console.OpenText();
            Write(output, bindings);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CreateAcl(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var binding = new BindingOptions(forFilter: false);
        var command = new Command("create", "Create one binding");
        binding.AddTo(command);
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            AclBinding created = binding.Binding(result);
            await using KafkaAdminClient admin = connection.Admin(result);
            await admin.CreateAclsAsync([created], ct);
            console.Error.WriteLine($"kafkanative: created {created.Permission} {created.Operation} on {created.ResourceType} {created.ResourceName} for {created.Principal}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DeleteAcls(CliConsole console)
    {
        var connection = new ConnectionOptions();
        var binding = new BindingOptions(forFilter: true);
        var command = new Command("delete", "Delete the bindings that match the filter, and list them");
        binding.AddTo(command);
        connection.AddTo(command);
        command.SetAction(async (result, ct) =>
        {
            AclBindingFilter filter = binding.Filter(result);
            if (filter == AclBindingFilter.Any) throw new UsageException("acl delete needs at least one filter option; it would delete every binding");
            await using KafkaAdminClient admin = connection.Admin(result);
            IReadOnlyList<AclBinding> deleted = await admin.DeleteAclsAsync([filter], ct);
            await using (StreamWriter output = console.OpenText()) Write(output, deleted);
            console.Error.WriteLine($"kafkanative: deleted {deleted.Count} binding{(deleted.Count == 1 ? "" : "s")}");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Write(TextWriter output, IReadOnlyList<AclBinding> bindings)
    {
        var table = new TextTable("RESOURCE-TYPE", "RESOURCE-NAME", "PATTERN", "PRINCIPAL", "HOST", "OPERATION", "PERMISSION");
        foreach (AclBinding b in bindings.OrderBy(b => b.ResourceType).ThenBy(b => b.ResourceName, StringComparer.Ordinal).ThenBy(b => b.Principal, StringComparer.Ordinal))
            table.Add(b.ResourceType, b.ResourceName, b.PatternType, b.Principal, b.Host, b.Operation, b.Permission);
        table.WriteTo(output);
    }
}
