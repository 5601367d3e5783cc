namespace Warmup.Simulator;

/// <summary>The impersonated family and whether its modelled model load is over.</summary>
internal sealed class FamilyState(string family)
{
    private volatile bool _loaded;

    public string Family { get; } = family;

    public bool Loaded => _loaded;

    public void MarkLoaded() => _loaded = true;
}
