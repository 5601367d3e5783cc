using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using Moq;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;

namespace Warmup.Functions.Tests.Support;

/// <summary>
/// A Moq'd <see cref="DurableTaskClient"/> (CallBase, setups on the overloads the code ends in) backed by a dictionary of
/// instances, so a sequence of trigger calls sees the effects of the earlier ones. Calls are logged in order.
/// </summary>
internal sealed class DurableClientFake
{
    private readonly TimeProvider _time;

    private readonly Lock _gate = new();

    public DurableClientFake(TimeProvider time)
    {
        _time = time;
        Mock = new Mock<DurableTaskClient>(MockBehavior.Loose, "test") { CallBase = true };

        Mock.Setup(c => c.ScheduleNewOrchestrationInstanceAsync(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<StartOrchestrationOptions?>(), It.IsAny<CancellationToken>()))
            .Returns((TaskName name, object? input, StartOrchestrationOptions? options, CancellationToken _) =>
            {
                var id = options?.InstanceId ?? throw new InvalidOperationException("warm-ups are always started with an instance id");
                // Triggers may call concurrently (the idle timer checks targets in parallel).
                lock (_gate)
                {
                    Calls.Add($"schedule:{id}");
                    if (ScheduleFailure?.Invoke(id) is { } failure)
                    {
                        return Task.FromException<string>(failure);
                    }

                    Scheduled.Add((name.Name, id, (WarmupRequest)input!, options));
                    Put(id, OrchestrationRuntimeStatus.Pending, _time.GetUtcNow(), (WarmupRequest)input!);
                    return Task.FromResult(id);
                }
            });

        Mock.Setup(c => c.GetInstanceAsync(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .Returns((string id, bool _, CancellationToken _) =>
            {
                lock (_gate)
                {
                    Calls.Add($"get:{id}");
                    return Task.FromResult(Instances.GetValueOrDefault(id));
                }
            });

        Mock.Setup(c => c.TerminateInstanceAsync(It.IsAny<string>(), It.IsAny<TerminateInstanceOptions?>(), It.IsAny<CancellationToken>()))
            .Returns((string id, TerminateInstanceOptions? options, CancellationToken _) =>
            {
                lock (_gate)
                {
                    Calls.Add($"terminate:{id}");
                    TerminateOutputs.Add(options?.Output?.ToString());
                    TerminateOptions.Add(options);
                    if (TerminationCompletes && Instances.TryGetValue(id, out var instance))
                    {
                        Instances[id] = Copy(instance, OrchestrationRuntimeStatus.Terminated);
                    }

                    return Task.CompletedTask;
                }
            });

        Mock.Setup(c => c.RaiseEventAsync(It.IsAny<string>(), It.IsAny<string>(), It.IsAny<object?>(), It.IsAny<CancellationToken>()))
            .Returns((string id, string name, object? payload, CancellationToken _) =>
            {
                lock (_gate)
                {
                    Calls.Add($"raise:{id}:{name}");
                    RaisedEvents.Add((id, name, payload?.ToString()));
                    // Stands in for the orchestration handling its cancel event: it records its report and completes.
                    if (CancelCompletes && name == RunCancellation.EventName && Instances.TryGetValue(id, out var instance) && !instance.IsCompleted)
                    {
                        Instances[id] = Copy(instance, OrchestrationRuntimeStatus.Completed);
                    }

                    return Task.CompletedTask;
                }
            });

        Mock.Setup(c => c.WaitForInstanceCompletionAsync(It.IsAny<string>(), It.IsAny<bool>(), It.IsAny<CancellationToken>()))
            .Returns(async (string id, bool _, CancellationToken token) =>
            {
                Calls.Add($"wait:{id}");
                var instance = Instances[id];
                if (instance.IsCompleted)
                {
                    return instance;
                }

                await Task.Delay(Timeout.Infinite, token);
                return instance;
            });
    }

    public Mock<DurableTaskClient> Mock { get; }

    public DurableTaskClient Client => Mock.Object;

    public Dictionary<string, OrchestrationMetadata> Instances { get; } = new(StringComparer.Ordinal);

    public List<(string Orchestration, string InstanceId, WarmupRequest Request, StartOrchestrationOptions? Options)> Scheduled { get; } = [];

    public List<string?> TerminateOutputs { get; } = [];

    public List<TerminateInstanceOptions?> TerminateOptions { get; } = [];

    public List<(string InstanceId, string Name, string? Payload)> RaisedEvents { get; } = [];

    /// <summary>When false, an active instance ignores its cancel event (tests the terminate fallback).</summary>
    public bool CancelCompletes { get; set; } = true;

    public List<string> Calls { get; } = [];

    /// <summary>When false, a terminated instance never reaches Terminated (tests the wait timeout).</summary>
    public bool TerminationCompletes { get; set; } = true;

    /// <summary>Makes ScheduleNew fail (e.g. lost race) for an instance id.</summary>
    public Func<string, Exception?>? ScheduleFailure { get; set; }

    public OrchestrationMetadata Put(string id, OrchestrationRuntimeStatus status, DateTimeOffset createdAt, WarmupRequest? input,
        WarmupReport? output = null, DateTimeOffset? lastUpdatedAt = null, string? customStatus = null)
    {
        var metadata = new OrchestrationMetadata(TaskNames.TargetWarmupOrchestration, id)
        {
            RuntimeStatus = status,
            CreatedAt = createdAt,
            LastUpdatedAt = lastUpdatedAt ?? createdAt,
            SerializedInput = input is null ? null : JsonDataConverter.Default.Serialize(input),
            SerializedOutput = output is null ? null : JsonDataConverter.Default.Serialize(output),
            SerializedCustomStatus = customStatus,
            DataConverter = JsonDataConverter.Default,
        };
        Instances[id] = metadata;
        return metadata;
    }

    private static OrchestrationMetadata Copy(OrchestrationMetadata m, OrchestrationRuntimeStatus status) => new(m.Name, m.InstanceId)
    {
        RuntimeStatus = status,
        CreatedAt = m.CreatedAt,
        LastUpdatedAt = m.LastUpdatedAt,
        SerializedInput = m.SerializedInput,
        SerializedOutput = m.SerializedOutput,
        SerializedCustomStatus = m.SerializedCustomStatus,
        DataConverter = m.DataConverter,
    };
}
