using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Moq;
using Warmup.Core.Orchestration;
using Warmup.Functions.Orchestration;

namespace Warmup.Functions.Tests.Support;

/// <summary>
/// Wires the Functions app's own [Function] shims (<see cref="WarmupFunctions"/>) into the in-process Durable engine's
/// registry, found by their attributes the way the Functions host indexes them: each orchestration trigger and each
/// activity trigger under its function name. An activity shim gets a <see cref="FunctionContext"/> whose services are
/// the app's and whose binding data carries the instance id, as the Durable extension passes it.
/// </summary>
internal static class FunctionShims
{
    public static IReadOnlyList<string> Register(DurableTaskRegistry registry, IServiceProvider appServices)
    {
        var registered = new List<string>();
        foreach (var method in typeof(WarmupFunctions).GetMethods(BindingFlags.Public | BindingFlags.Static))
        {
            if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
            {
                continue;
            }

            var trigger = method.GetParameters()[0];
            if (trigger.GetCustomAttribute<OrchestrationTriggerAttribute>() is not null)
            {
                registry.AddOrchestrator(function.Name, new OrchestratorShim(method));
            }
            else if (trigger.GetCustomAttribute<ActivityTriggerAttribute>() is not null)
            {
                registry.AddActivity(function.Name, new ActivityShim(method, appServices));
            }
            else
            {
                continue;   // the entity (entities do not run on the in-process engine)
            }

            registered.Add(function.Name);
        }
        return registered;
    }

    private static async Task<object?> InvokeAsync(MethodInfo method, object?[] arguments)
    {
        Task task;
        try
        {
            task = (Task)method.Invoke(null, arguments)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            // What the host would see: the shim's own exception, not the reflection wrapper.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
        await task;
        return task.GetType().GetProperty(nameof(Task<object>.Result))!.GetValue(task);
    }

    private static Type ResultType(MethodInfo method) => method.ReturnType.GetGenericArguments()[0];

    /// <summary>The orchestrator shims read their input with context.GetInput&lt;WarmupRequest&gt;().</summary>
    private sealed class OrchestratorShim(MethodInfo method) : ITaskOrchestrator
    {
        public Type InputType => typeof(WarmupRequest);

        public Type OutputType => ResultType(method);

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input) => InvokeAsync(method, [context]);
    }

    private sealed class ActivityShim(MethodInfo method, IServiceProvider appServices) : ITaskActivity
    {
        public Type InputType => method.GetParameters()[0].ParameterType;

        public Type OutputType => ResultType(method);

        public Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            var binding = new Mock<BindingContext>();
            binding.Setup(b => b.BindingData).Returns(new Dictionary<string, object?> { [FunctionActivityContext.InstanceIdBindingKey] = context.InstanceId });
            var function = new Mock<FunctionContext>();
            function.Setup(f => f.InstanceServices).Returns(appServices);
            function.Setup(f => f.BindingContext).Returns(binding.Object);
            return InvokeAsync(method, [input, function.Object]);
        }
    }
}
