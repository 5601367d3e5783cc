using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;
using Warmup.Core.Dialects;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.ShapeMaps;
using Warmup.Core.Targets;

namespace Warmup.Core.Adaptive;

/// <summary>Input of <see cref="Orchestration.TaskNames.PlanRound"/>: null <paramref name="State"/> plans round 1.</summary>
public sealed record PlanRoundInput(string Target, PlanSpec Plan, int? MaxContext, AdaptiveState? State);

/// <summary>
/// Plans one round of the adaptive loop (<see cref="RoundPlanner"/>). Round 1 reads the target's shape map from the
/// host's <see cref="IShapeMapStore"/> and discards it when the model or its context window changed. Every round is
/// planned for the dialect the server speaks (an "auto" target's is detected) and within the concurrency the server
/// really runs (<see cref="ServerCapacity"/>), as the fixed presets are.
/// </summary>
public sealed class PlanRoundActivity(
    ITargetCatalog catalog,
    DialectRegistry dialects,
    IShapeMapStore maps,
    Traffic.IObservedTrafficStore traffic,
    HttpClient http,
    ILogger<PlanRoundActivity> logger) : TaskActivity<PlanRoundInput, RoundPlan>
{
    public override async Task<RoundPlan> RunAsync(TaskActivityContext context, PlanRoundInput input)
    {
        var configured = catalog.Require(input.Target);
        var dialect = await dialects.ResolveAsync(configured, http, CancellationToken.None).ConfigureAwait(false);
        var (target, capacityNote) = await ServerCapacity.ApplyAsync(dialect, http, configured, CancellationToken.None).ConfigureAwait(false);
        var forcesLength = dialect.ForcesOutputLength;
        var budget = AdaptiveBudget.For(input.Plan, target, input.MaxContext);
        if (input.State is { } state)
        {
            return RoundPlanner.Next(state.Adapters is { } chosen ? target with { Adapters = chosen } : target, input.MaxContext, forcesLength, state, budget);
        }

        var map = await maps.GetAsync(target.Name, CancellationToken.None).ConfigureAwait(false);
        var discarded = map is not null && !map.Fits(target.Model, input.MaxContext);
        if (discarded)
        {
            logger.LogInformation(
                "Shape map of {Target} discarded: learned for {Model} ({Context} tokens), the server now serves {NewModel} ({NewContext} tokens)",
                target.Name, map!.Model, map.MaxContext, target.Model, input.MaxContext);
            await maps.DeleteAsync(target.Name, CancellationToken.None).ConfigureAwait(false);
        }

        var observed = await traffic.GetAsync(target.Name, CancellationToken.None).ConfigureAwait(false);
        // Observations made on another model say nothing about this one.
        var users = observed is not null && string.Equals(observed.Model, target.Model, StringComparison.Ordinal) ? observed.Observed() : null;
        // Adapters the server lists are warmed too; where it holds fewer at once than it serves, the most used ones.
        var discovered = await Adapters.AdapterDiscovery.DiscoverAsync(http, target, CancellationToken.None).ConfigureAwait(false);
        var adapters = Adapters.AdapterSelection.Choose(
            target.Adapters, discovered, users?.AdaptersByUse ?? [], users?.MaxLoadedAdapters ?? target.Limits.MaxLoadedAdapters);
        var first = RoundPlanner.First(input.Plan, target with { Adapters = adapters.Warmed }, input.MaxContext, forcesLength, discarded ? null : map, budget, users);
        string[] capacity = capacityNote is null ? [] : [capacityNote];
        first = first with { State = first.State with { Adapters = adapters.Warmed, AdapterChoice = adapters, Notes = [.. capacity, .. adapters.Notes(), .. first.State.Notes] } };
        return discarded
            ? first with { State = first.State with { Notes = [$"the shape map learned for {map!.Model} ({map.MaxContext} tokens) was discarded: the model changed", .. first.State.Notes] } }
            : first;
    }
}

/// <summary>Input of <see cref="Orchestration.TaskNames.SaveShapeMap"/>: the loop's final state.</summary>
public sealed record SaveShapeMapInput(string Target, int? MaxContext, AdaptiveState State, bool Warm, DateTimeOffset LearnedAt);

/// <summary>Keeps what the loop learned (<see cref="ShapeMapLearning"/>) in the host's <see cref="IShapeMapStore"/>.</summary>
public sealed class SaveShapeMapActivity(ITargetCatalog catalog, IShapeMapStore maps) : TaskActivity<SaveShapeMapInput, ShapeMap>
{
    public override async Task<ShapeMap> RunAsync(TaskActivityContext context, SaveShapeMapInput input)
    {
        var target = catalog.Require(input.Target);
        var map = ShapeMapLearning.From(target, input.MaxContext, input.State, input.Warm, input.LearnedAt);
        await maps.SaveAsync(map, CancellationToken.None).ConfigureAwait(false);
        return map;
    }
}
