namespace Warmup.Simulator;

/// <summary>The impersonated family and whether its modelled model load is over.</summary>
internal sealed class FamilyState(string family)
{
    private readonly TaskCompletionSource _loadedTask = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _loaded;

    public string Family { get; } = family;

    public bool Loaded => _loaded;

    /// <summary>Completes when the modelled load is over.</summary>
    public Task LoadedTask => _loadedTask.Task;

    public void MarkLoaded()
    {
        _loaded = true;
        _loadedTask.TrySetResult();
    }
}
