namespace KafkaNative.Fuzz.Engine;

/// <summary>
/// One decoder of untrusted bytes under fuzz. <see cref="Run"/> decodes an input to the end (every
/// field and record touched); it may throw only the project's protocol exception or, for
/// authentication exchanges, the authentication exception. Anything else is a finding.
/// </summary>
/// <param name="Name">Selects the target on the command line (run.sh TARGET).</param>
/// <param name="Run">Decodes one input; false when the input was ignored before any decoding (too short, an API the Sim does not serve).</param>
/// <param name="Seeds">Inputs built in code (valid messages at every version); the corpus folder adds real captures.</param>
/// <param name="Rejects">Exceptions besides <see cref="KafkaProtocolException"/> that mean "input refused".</param>
public sealed record FuzzTarget(string Name, Func<byte[], bool> Run, Func<IEnumerable<byte[]>> Seeds, Func<Exception, bool>? Rejects = null)
{
    /// <summary>True when <paramref name="exception"/> is how this target is allowed to refuse an input.</summary>
    public bool IsRejection(Exception exception) =>
        exception is KafkaProtocolException || (Rejects?.Invoke(exception) ?? false);
}
