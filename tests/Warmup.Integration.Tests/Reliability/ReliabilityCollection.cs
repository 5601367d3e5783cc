namespace Warmup.Integration.Tests.Reliability;

/// <summary>
/// The fault runs wait out timeouts and hold simulators busy; run alone, so their load does not shift the timing-based
/// verdicts of the other orchestration tests running beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReliabilityCollection
{
    public const string Name = "reliability";
}
