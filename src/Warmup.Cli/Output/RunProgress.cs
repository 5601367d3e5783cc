using Spectre.Console;
using Warmup.Core.Orchestration;

namespace Warmup.Cli.Output;

/// <summary>Live progress of a running warm-up, fed by the orchestration's custom status.</summary>
internal static class RunProgress
{
    public static async Task<T> ShowAsync<T>(IAnsiConsole console, Func<IProgress<WarmupProgress>, Task<T>> run)
    {
        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("waiting for the endpoint", maxValue: 1);
                var progress = new SynchronousProgress<WarmupProgress>(status =>
                {
                    task.MaxValue = Math.Max(1, status.TotalSteps);
                    task.Value = Math.Min(status.Step, task.MaxValue);
                    task.Description = Markup.Escape($"{status.Phase}: {status.Description}");
                });
                result = await run(progress);
                task.Value = task.MaxValue;
                task.Description = "done";
            });
        return result;
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool and can reorder updates; this reports in order.</summary>
    private sealed class SynchronousProgress<TValue>(Action<TValue> report) : IProgress<TValue>
    {
        public void Report(TValue value) => report(value);
    }
}
