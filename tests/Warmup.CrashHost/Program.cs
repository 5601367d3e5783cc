using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Warmup.Core.Orchestration;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.CrashHost;

// warmup-crash-host --storage CONN --hub NAME --targets FILE --report FILE (--start REQUEST.json | --resume TARGET)
// --start schedules the target's warm-up (the entry point both hosts register) from a WarmupRequest in JSON;
// --resume schedules nothing and only works the task hub's pending history. Either way the process ends when the
// target's orchestration is done and has written its report to --report; the test kills the first one before that.
var options = Arguments.Parse(args);
await using var sidecar = await AzureStorageSidecar.StartAsync(options["--storage"], options["--hub"]);
var catalog = TargetCatalog.LoadFile(options["--targets"]);

var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders().AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(Arguments.LogLevel);
builder.Services.AddWarmupEngine();
builder.Services.AddSingleton<ITargetCatalog>(catalog);
builder.Services.AddDurableTaskWorker(worker =>
{
    worker.UseGrpc(sidecar.Address.ToString());
    worker.AddTasks(registry => registry.AddWarmupTasks());
});
builder.Services.AddDurableTaskClient(client =>
{
    client.UseGrpc(sidecar.Address.ToString());
    client.RegisterDirectly();
});
using var host = builder.Build();
await host.StartAsync();
var durable = host.Services.GetRequiredService<DurableTaskClient>();

string target;
if (options.TryGetValue("--start", out var requestFile))
{
    var request = JsonSerializer.Deserialize<WarmupRequest>(File.ReadAllText(requestFile), Arguments.Json)
                  ?? throw new InvalidDataException($"{requestFile} holds no warm-up request");
    target = request.Target;
    await durable.ScheduleNewOrchestrationInstanceAsync(
        TaskNames.TargetWarmupOrchestration, request, new StartOrchestrationOptions(TaskNames.InstanceIdFor(target)));
    Console.WriteLine($"started {TaskNames.InstanceIdFor(target)}");
}
else
{
    target = options["--resume"];
    Console.WriteLine($"resuming {TaskNames.InstanceIdFor(target)}");
}

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
var done = await durable.WaitForInstanceCompletionAsync(TaskNames.InstanceIdFor(target), getInputsAndOutputs: true, timeout.Token);
if (done.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
{
    Console.Error.WriteLine($"{done.InstanceId} ended {done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
    return 1;
}

await ReportJson.WriteAsync(done.ReadOutputAs<WarmupReport>()!, options["--report"]);
Console.WriteLine($"finished {done.InstanceId}");
await host.StopAsync();
return 0;

internal static class Arguments
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Warnings and errors reach the test's failure message; CRASH_HOST_LOG=Debug shows the Durable machinery too.
    public static LogLevel LogLevel =>
        Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("CRASH_HOST_LOG"), out var level) ? level : LogLevel.Warning;

    public static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            options[args[i]] = args[i + 1];
        }

        foreach (var required in new[] { "--storage", "--hub", "--targets", "--report" })
        {
            if (!options.ContainsKey(required))
            {
                throw new ArgumentException($"missing {required}; usage: --storage CONN --hub NAME --targets FILE --report FILE (--start REQUEST.json | --resume TARGET)");
            }
        }

        return options;
    }
}
