namespace Warmup.Simulator;

/// <summary>The impersonated family and whether its modelled model load is over.</summary>
internal sealed class FamilyState(string family)
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Family { get; } = family;

    public bool Loaded => _loaded.Task.IsCompleted;

    /// <summary>Completes when the modelled load is over.</summary>
    public Task LoadedTask => _loaded.Task;

    public void MarkLoaded() => _loaded.TrySetResult();
}
