using System.Runtime.CompilerServices;

namespace KafkaNative.Protocol;

/// <summary>
/// Table-driven details of <see cref="ErrorCode"/> values: the Kafka name, a short description and
/// whether the client may retry. No reflection; known codes never allocate. The codes themselves are
/// generated from tools/ProtocolGen/error-codes.tsv.
/// </summary>
public static partial class ErrorCodes
{
    /// <summary>True when <paramref name="code"/> is one this library knows by name.</summary>
    public static bool IsKnown(this ErrorCode code) => (uint)((int)code - MinCode) < (uint)Table.Length;

    /// <summary>
    /// True when the error is transient and the same request may succeed if sent again (possibly
    /// after refreshing metadata): Kafka's exception for the code is a <c>RetriableException</c>.
    /// Unknown codes are not retriable.
    /// </summary>
    public static bool IsRetriable(this ErrorCode code) => TryGet(code, out Entry entry) && entry.Retriable;

    /// <summary>Kafka's upper-snake name for the code, e.g. <c>NOT_LEADER_OR_FOLLOWER</c>; <c>UNKNOWN_CODE_n</c> for codes this library does not know.</summary>
    public static string Name(this ErrorCode code) =>
        TryGet(code, out Entry entry) ? entry.Name : "UNKNOWN_CODE_" + ((short)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A short description of the error, in this library's words.</summary>
    public static string Message(this ErrorCode code) =>
        TryGet(code, out Entry entry) ? entry.Message : "The broker returned an error code this client does not know.";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryGet(ErrorCode code, out Entry entry)
    {
        uint index = (uint)((int)code - MinCode);
        Entry[] table = Table;
        if (index < (uint)table.Length)
        {
            entry = table[index];
            return true;
        }
        entry = default;
        return false;
    }

    private readonly record struct Entry(string Name, bool Retriable, string Message);
}
