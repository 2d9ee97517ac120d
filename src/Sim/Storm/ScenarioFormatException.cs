namespace KafkaNative.Sim.Storm;

/// <summary>A scenario or topology (built-in, from JSON or from the command line) that cannot be run as given.</summary>
public sealed class ScenarioFormatException : Exception
{
    /// <summary>Creates the exception with a message that names the offending field.</summary>
    public ScenarioFormatException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception wrapping the parser error that caused it.</summary>
    public ScenarioFormatException(string message, Exception inner) : base(message, inner)
    {
    }
}
