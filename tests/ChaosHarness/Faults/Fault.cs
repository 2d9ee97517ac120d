namespace KafkaNative.Chaos;

/// <summary>
/// One fault of the matrix: injected, held for <see cref="Hold"/>, then healed. An instance serves one
/// run (it remembers its victim); <see cref="FaultCatalog"/> makes them by name.
/// </summary>
public abstract class Fault
{
    /// <summary>The fault's name in test names and on the bench's command line.</summary>
    public abstract string Name { get; }

    /// <summary>How long the fault lasts; always far shorter than the delivery budget.</summary>
    public virtual TimeSpan Hold => TimeSpan.FromMilliseconds(1500);

    /// <summary>False for faults only a consumer group notices (a coordinator move).</summary>
    public virtual bool AffectsProducers => true;

    /// <summary>True when the victim's port refuses connections while the fault lasts (the Sim cannot count those).</summary>
    public virtual bool TakesVictimDown => false;

    /// <summary>The broker the last injection hit, or -1 before the first.</summary>
    public int Victim { get; protected set; } = -1;

    /// <summary>Breaks something; sets <see cref="Victim"/>.</summary>
    public abstract Task InjectAsync(FaultTarget target);

    /// <summary>Undoes the injection.</summary>
    public abstract Task HealAsync(FaultTarget target);

    /// <inheritdoc />
    public override string ToString() => Name;
}
