using System.Globalization;

namespace KafkaNative.Extensions.Hosting.Configuration;

/// <summary>
/// Reads a duration from configuration in either form people write: a .NET TimeSpan ("00:00:30",
/// "1.02:00:00") or a number with a unit ("30s", "500ms", "2m", "1h", "1d").
/// </summary>
internal static class Duration
{
    private static readonly (string Unit, double Milliseconds)[] Units =
    [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ];

    public static bool TryParse(string text, out TimeSpan value)
    {
        text = text.Trim();
        value = default;
        // A bare number is refused: TimeSpan.Parse would read "30" as thirty days.
        if (text.Contains(':')) return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
        // Longest unit name first, so "500ms" is not read as "500m" followed by junk.
        foreach ((string unit, double milliseconds) in Units.OrderByDescending(u => u.Unit.Length))
        {
            if (!text.EndsWith(unit, StringComparison.OrdinalIgnoreCase)) continue;
            string number = text[..^unit.Length].TrimEnd();
            if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double amount)) return false;
            double total = amount * milliseconds;
            if (total > TimeSpan.MaxValue.TotalMilliseconds) return false;
            value = TimeSpan.FromMilliseconds(total);
            return true;
        }
        return false;
    }
}
