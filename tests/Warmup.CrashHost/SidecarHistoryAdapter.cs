using System.Reflection;
using System.Runtime.ExceptionServices;
using DurableTask.Core;
using DurableTask.Core.History;

namespace Warmup.CrashHost;

/// <summary>
/// DurableTask.AzureStorage seen through one adaptation for the InProcessTestHost sidecar: the sidecar records a started
/// sub-orchestration as its own subclass of <see cref="SubOrchestrationInstanceCreatedEvent"/>, which the history table
/// writer does not know, so the row is written without its event type and the parent's history can never be read again
/// ("The TableEntity did not contain a 'EventType' property"). Before each commit such events become the plain event
/// (the subclass only adds the parent's trace context). Every other call goes to the storage service unchanged.
/// </summary>
internal class SidecarHistoryAdapter : DispatchProxy
{
    private IOrchestrationService _storage = null!;

    public static IOrchestrationService Wrap(IOrchestrationService storage)
    {
        var proxy = Create<IOrchestrationService, SidecarHistoryAdapter>();
        ((SidecarHistoryAdapter)(object)proxy)._storage = storage;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IOrchestrationService.CompleteTaskOrchestrationWorkItemAsync)
            && args?[1] is OrchestrationRuntimeState state)
        {
            Plain(state.Events);
            Plain(state.NewEvents);
        }

        try
        {
            return targetMethod.Invoke(_storage, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private static void Plain(IList<HistoryEvent> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is SubOrchestrationInstanceCreatedEvent created && created.GetType() != typeof(SubOrchestrationInstanceCreatedEvent))
            {
                events[i] = new SubOrchestrationInstanceCreatedEvent(created.EventId)
                {
                    Name = created.Name,
                    Version = created.Version,
                    InstanceId = created.InstanceId,
                    Input = created.Input,
                    Timestamp = created.Timestamp,
                    IsPlayed = created.IsPlayed,
                };
            }
        }
    }
}
