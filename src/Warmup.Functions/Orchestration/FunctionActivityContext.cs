using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Warmup.Functions.Orchestration;

/// <summary>The <see cref="TaskActivityContext"/> a class-based activity sees when a [Function] shim runs it.</summary>
internal sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;

    /// <summary>Binding data key under which the Durable extension passes the orchestration's instance id to an activity.</summary>
    internal const string InstanceIdBindingKey = "instanceId";

    public static FunctionActivityContext For(string name, FunctionContext context)
    {
        var instanceId = context.BindingContext.BindingData.TryGetValue(InstanceIdBindingKey, out var value) && value is not null
            ? value.ToString() ?? ""
            : "";
        return new FunctionActivityContext(name, instanceId);
    }
}
