using System.Text.Json;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Reporting;
using Warmup.Integration.Tests.Orchestration;
using Warmup.TestFixtures;

namespace Warmup.Integration.Tests.Reliability;

/// <summary>
/// The worker process killed (SIGKILL) in the middle of a level, on a Durable backend that keeps its state across a
/// process restart (DurableTask.AzureStorage on Azurite, see <see cref="CrashHost"/>). The second process schedules
/// nothing: it continues the run from its history. The server's own request log says what was sent: the steps that had
/// finished before the kill are not sent again, the one activity in flight when the process died runs again
/// (at-least-once), and the report is complete.
/// </summary>
/// <remarks>
/// The loopback server holds the first request of one step of level 1 until its client goes away, so the process dies
/// with exactly that activity in flight; it is killed once the durable history shows the level's two other steps
/// completed. This proves the orchestration code is replay-safe on a durable backend and what an activity retried
/// after a crash does. It does not prove how the Functions host behaves: its own backend settings, lease and
/// visibility timings, or host restarts are not exercised (see README, reliability matrix).
/// </remarks>
[Collection(ReliabilityCollection.Name)]
public sealed class CrashReplayTests
{
    private const string TargetName = "crashy";
    private const int FirstStep = 100;
    private const int SecondStep = 200;
    private const int HeldStep = 300;
    private const int NextLevelStep = 400;

    // Level 1: three steps at concurrency 1, fanned out together; level 2: one step of two requests.
    private static readonly PlanStep[] Plan =
        [new(FirstStep, 5, 1), new(SecondStep, 5, 1), new(HeldStep, 5, 1), new(NextLevelStep, 5, 2)];

    [AzuriteFact]
    public async Task A_worker_killed_mid_level_resumes_from_history_resending_only_the_activity_in_flight()
    {
        await using var azurite = await Azurite.StartAsync();
        await using var server = await VllmLikeServer.StartAsync(ColdModel.None, maxModelLen: 2048);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = 0;
        server.BeforeAnswer = async (seen, aborted) =>
        {
            if (StepOf(seen.PromptTokens) == HeldStep && Interlocked.Exchange(ref holding, 1) == 0)
            {
                held.TrySetResult();
                // Until the killed worker's connection goes away; a bound so a broken test cannot hang.
                await Task.Delay(TimeSpan.FromMinutes(2), aborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        };

        await using var work = CrashHost.Prepare(azurite.ConnectionString, TargetName, server.BaseUrl);
        var runId = RunIds.For(TargetName, DateTimeOffset.UtcNow, Guid.NewGuid());
        var request = new WarmupRequest(TargetName, WarmupReasons.Manual, PlanSpec.FromSteps("crash", Plan), "corr-crash", Threshold: 10, RunId: runId);

        using var first = work.Start(request);
        await first.WaitUntilAsync(held.Task, TimeSpan.FromMinutes(2), () => $"the held step's request to arrive (server saw prompts of {Seen(server)} tokens)");
        var history = new RunHistory(azurite.ConnectionString, work.TaskHub, runId);
        await first.WaitUntilAsync(history.WaitForCompletedStepsAsync([0, 1], TimeSpan.FromMinutes(1)), TimeSpan.FromMinutes(1), () => "steps 1 and 2 in the history");
        Assert.DoesNotContain(2, await history.CompletedStepsAsync());
        first.Kill();

        using var second = work.Resume();
        var exit = await second.WaitForExitAsync(TimeSpan.FromMinutes(3));
        Assert.True(exit == 0, $"the restarted worker exited {exit}:\n{second.Output}\n--- first worker:\n{first.Output}");

        // The server's log: finished steps once, the step in flight twice (killed, then run again), the next level once.
        var sent = server.Requests.Select(r => StepOf(r.PromptTokens)).ToList();
        Assert.True(1 == sent.Count(s => s == FirstStep), $"step 1: {Seen(server)}");
        Assert.True(1 == sent.Count(s => s == SecondStep), $"step 2: {Seen(server)}");
        Assert.True(2 == sent.Count(s => s == HeldStep), $"step 3: {Seen(server)}");
        Assert.True(2 == sent.Count(s => s == NextLevelStep), $"step 4: {Seen(server)}");

        // The history: one schedule per step (the restart replayed the run, it did not start it again).
        var scheduled = await history.ScheduledStepsAsync();
        Assert.Equal([0, 1, 2, 3], scheduled.Order());

        // The report is complete: every step, each with all its requests answered.
        var report = ReportJson.Deserialize(await File.ReadAllTextAsync(work.ReportPath));
        Assert.Equal(runId, report.RunId);
        Assert.True(report.Outcome == RunOutcomes.Warm, $"{report.Outcome}: {report.Verdict?.Reason} {report.Error}");
        Assert.Equal(Plan.Select(s => s.PromptTokens), report.Steps.Select(s => s.Step.PromptTokens).Order());
        Assert.All(report.Steps, s => Assert.Equal(s.Step.Concurrency, s.Succeeded));
    }

    // Which plan step a request belongs to: the prompt is calibrated to its step's length through the server's own
    // tokenizer and lands within a few tokens of it; verification keeps its lengths off the plan's.
    private static int? StepOf(int promptTokens) =>
        Plan.Select(s => s.PromptTokens).Where(p => Math.Abs(p - promptTokens) <= 8).Cast<int?>().FirstOrDefault();

    private static string Seen(VllmLikeServer server) => string.Join(", ", server.Requests.Select(r => r.PromptTokens));
}

/// <summary>The task hub's history table, read the way DurableTask.AzureStorage writes it (one row per history event).</summary>
internal sealed class RunHistory(string connectionString, string taskHub, string instanceId)
{
    private readonly Azure.Data.Tables.TableClient _table = new(connectionString, taskHub + "History");

    /// <summary>Step indexes of the run's RunStep activities that completed, as the orchestration recorded them.</summary>
    public async Task<IReadOnlyList<int>> CompletedStepsAsync()
    {
        var rows = await RowsAsync();
        var steps = ScheduledById(rows);
        return rows.Where(r => r.GetString("EventType") == "TaskCompleted" && r.GetInt32("TaskScheduledId") is { } id && steps.ContainsKey(id))
            .Select(r => steps[r.GetInt32("TaskScheduledId")!.Value])
            .ToList();
    }

    /// <summary>Step indexes of every RunStep activity the run scheduled (a step scheduled twice appears twice).</summary>
    public async Task<IReadOnlyList<int>> ScheduledStepsAsync() => ScheduledById(await RowsAsync()).Values.ToList();

    public async Task WaitForCompletedStepsAsync(IReadOnlyList<int> steps, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!steps.All((await CompletedStepsAsync()).Contains))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"steps {string.Join(", ", steps)} not completed in the history of {instanceId} within {timeout}");
            }

            await Task.Delay(200);
        }
    }

    private static Dictionary<int, int> ScheduledById(List<Azure.Data.Tables.TableEntity> rows) =>
        rows.Where(r => r.GetString("EventType") == "TaskScheduled" && r.GetString("Name") == TaskNames.RunStep)
            .ToDictionary(r => r.GetInt32("EventId")!.Value, r => StepIndex(r.GetString("Input")));

    // The activity's input (RunStepInput) as the sidecar stored it: the worker's JSON, which DurableTask.Core keeps as a
    // one-element array of inputs; the property's casing is the worker's data converter's.
    private static int StepIndex(string input)
    {
        var root = JsonDocument.Parse(input).RootElement;
        var step = root.ValueKind == JsonValueKind.Array ? root[0] : root;
        if (step.ValueKind == JsonValueKind.String)
        {
            step = JsonDocument.Parse(step.GetString()!).RootElement;
        }

        return step.EnumerateObject().Single(p => p.NameEquals("stepIndex") || p.NameEquals("StepIndex")).Value.GetInt32();
    }

    private async Task<List<Azure.Data.Tables.TableEntity>> RowsAsync()
    {
        var rows = new List<Azure.Data.Tables.TableEntity>();
        try
        {
            await foreach (var row in _table.QueryAsync<Azure.Data.Tables.TableEntity>(r => r.PartitionKey == instanceId))
            {
                rows.Add(row);
            }
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            // The table does not exist yet: no history.
        }

        return rows;
    }
}
