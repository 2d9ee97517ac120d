using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace KafkaNative.Extensions.Hosting.Configuration;

/// <summary>
/// The settings of one options type that configuration may set, by name (case-insensitive), each with
/// a parser written out by hand: no reflection, so binding works under trimming and NativeAOT.
/// A parser returns null on success or the reason the text was refused.
/// </summary>
/// <typeparam name="T">The options type.</typeparam>
internal sealed class SettingTable<T>
{
    private readonly Dictionary<string, Func<T, string, string?>> _scalars = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Func<T, IReadOnlyList<string>, string?>> _lists = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Action<T, IConfigurationSection, List<string>>> _sections = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _codeOnly = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _skipped = new(StringComparer.OrdinalIgnoreCase);

    public SettingTable<T> Text(string name, Action<T, string> set) => Scalar(name, (o, v) =>
    {
        set(o, v);
        return null;
    });

    public SettingTable<T> NullableText(string name, Action<T, string?> set) =>
        Text(name, (o, v) => set(o, v.Length == 0 ? null : v));

    public SettingTable<T> Int(string name, Action<T, int> set) => Scalar(name, (o, v) =>
    {
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)) return $"'{v}' is not a whole number.";
        set(o, n);
        return null;
    });

    public SettingTable<T> NullableInt(string name, Action<T, int?> set) => Scalar(name, (o, v) =>
    {
        if (v.Length == 0)
        {
            set(o, null);
            return null;
        }
        if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n)) return $"'{v}' is not a whole number.";
        set(o, n);
        return null;
    });

    public SettingTable<T> Long(string name, Action<T, long> set) => Scalar(name, (o, v) =>
    {
        if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)) return $"'{v}' is not a whole number.";
        set(o, n);
        return null;
    });

    public SettingTable<T> Bool(string name, Action<T, bool> set) => Scalar(name, (o, v) =>
    {
        if (!bool.TryParse(v, out bool b)) return $"'{v}' is not true or false.";
        set(o, b);
        return null;
    });

    public SettingTable<T> Duration(string name, Action<T, TimeSpan> set) => Scalar(name, (o, v) =>
    {
        if (!Configuration.Duration.TryParse(v, out TimeSpan d)) return $"'{v}' is not a duration; write 00:00:30 or 30s (units ms, s, m, h, d).";
        set(o, d);
        return null;
    });

    public SettingTable<T> Enum<TEnum>(string name, Action<T, TEnum> set) where TEnum : struct, System.Enum => Scalar(name, (o, v) =>
    {
        if (!TryParseEnum(v, out TEnum e)) return $"'{v}' is not one of {string.Join(", ", System.Enum.GetNames<TEnum>())}.";
        set(o, e);
        return null;
    });

    /// <summary>A list, given as a section of items (Name:0, Name:1) or as one comma-separated value; it replaces the default list.</summary>
    public SettingTable<T> EnumList<TEnum>(string name, Action<T, List<TEnum>> set) where TEnum : struct, System.Enum
    {
        _lists[name] = (o, items) =>
        {
            var list = new List<TEnum>(items.Count);
            foreach (string item in items)
            {
                if (!TryParseEnum(item, out TEnum e)) return $"'{item}' is not one of {string.Join(", ", System.Enum.GetNames<TEnum>())}.";
                list.Add(e);
            }
            set(o, list);
            return null;
        };
        return this;
    }

    /// <summary>A list of strings, given as a section of items or one comma-separated value; it replaces the default list.</summary>
    public SettingTable<T> TextList(string name, Action<T, List<string>> set)
    {
        _lists[name] = (o, items) =>
        {
            set(o, [.. items]);
            return null;
        };
        return this;
    }

    /// <summary>A nested section (Tls, Sasl): <paramref name="open"/> returns the nested object, creating it if needed, and <paramref name="table"/> binds it.</summary>
    public SettingTable<T> Section<TNested>(string name, Func<T, TNested> open, SettingTable<TNested> table)
    {
        _sections[name] = (o, section, errors) => OptionsBinder.Bind(section, open(o), table, errors);
        return this;
    }

    /// <summary>A setting that holds an object (a transport, a logger factory): configuration cannot set it, and saying so beats ignoring it.</summary>
    public SettingTable<T> CodeOnly(string name, string why)
    {
        _codeOnly[name] = why;
        return this;
    }

    /// <summary>A key that belongs to someone else reading the same section (the hosted consumer's Handler section): not reported as unknown.</summary>
    public SettingTable<T> Skip(string name)
    {
        _skipped.Add(name);
        return this;
    }

    public bool IsSkipped(string name) => _skipped.Contains(name);

    public bool TryGetScalar(string name, out Func<T, string, string?> set) => _scalars.TryGetValue(name, out set!);

    public bool TryGetList(string name, out Func<T, IReadOnlyList<string>, string?> set) => _lists.TryGetValue(name, out set!);

    public bool TryGetSection(string name, out Action<T, IConfigurationSection, List<string>> bind) => _sections.TryGetValue(name, out bind!);

    public bool TryGetCodeOnly(string name, out string why) => _codeOnly.TryGetValue(name, out why!);

    private SettingTable<T> Scalar(string name, Func<T, string, string?> set)
    {
        _scalars[name] = set;
        return this;
    }

    private static bool TryParseEnum<TEnum>(string text, out TEnum value) where TEnum : struct, System.Enum =>
        // Names only: a number would slip past as an undefined value.
        System.Enum.TryParse(text.Trim(), ignoreCase: true, out value) && System.Enum.IsDefined(value) && !char.IsAsciiDigit(text.Trim()[0]);
}
