using KafkaNative.Protocol;
using KafkaNative.Protocol.Messages;

namespace KafkaNative.TestSupport;

/// <summary>A request a recording fake broker received: its header, version and the raw frame (without the size prefix).</summary>
public sealed record CapturedRequest(ApiKey ApiKey, short Version, RequestHeader Header, byte[] Frame, int BodyOffset);

/// <summary>A response a recording fake broker sent: the frame without its size prefix (header and body).</summary>
public sealed record CapturedResponse(ApiKey ApiKey, short Version, byte[] Frame);
