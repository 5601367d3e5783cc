using Spectre.Console;
using Warmup.Core.Orchestration;

namespace Warmup.Cli.Output;

/// <summary>Live progress of a running warm-up, fed by the orchestration's custom status.</summary>
internal static class RunProgress
{
    /// <summary>How often the line is redrawn while the status stays the same (the readiness wait's last answer changes).</summary>
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(500);

    /// <param name="describe">The line for a status; called again every half second, so it may show live details.</param>
    public static async Task<T> ShowAsync<T>(
        IAnsiConsole console, Func<IProgress<WarmupProgress>, Task<T>> run, Func<WarmupProgress?, string>? describe = null)
    {
        describe ??= status => status is null ? "waiting for the endpoint" : $"{status.Phase}: {status.Description}";
        if (!console.Profile.Capabilities.Interactive)
        {
            return await ShowAsLinesAsync(console, run, describe);
        }

        T result = default!;
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(describe(null)), maxValue: 1);
                WarmupProgress? latest = null;
                var progress = new SynchronousProgress<WarmupProgress>(status =>
                {
                    latest = status;
                    task.MaxValue = Math.Max(1, status.TotalSteps);
                    task.Value = Math.Min(status.Step, task.MaxValue);
                    task.Description = Markup.Escape(describe(status));
                });
                var running = run(progress);
                while (await Task.WhenAny(running, Task.Delay(Refresh)) != running)
                {
                    task.Description = Markup.Escape(describe(latest));
                }

                result = await running;
                task.Value = task.MaxValue;
                task.Description = "done";
            });
        return result;
    }

    /// <summary>
    /// A CI log or a pipe cannot redraw a line: print one plain line each time the description changes (a new phase,
    /// a new readiness answer), never a bar.
    /// </summary>
    private static async Task<T> ShowAsLinesAsync<T>(
        IAnsiConsole console, Func<IProgress<WarmupProgress>, Task<T>> run, Func<WarmupProgress?, string> describe)
    {
        var gate = new object();
        string? printed = null;
        WarmupProgress? latest = null;
        void PrintIfChanged()
        {
            lock (gate)
            {
                var line = describe(latest);
                if (line != printed)
                {
                    console.WriteLine(line);
                    printed = line;
                }
            }
        }

        PrintIfChanged();
        var running = run(new SynchronousProgress<WarmupProgress>(status =>
        {
            latest = status;
            PrintIfChanged();
        }));
        while (await Task.WhenAny(running, Task.Delay(Refresh)) != running)
        {
            PrintIfChanged();
        }

        return await running;
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool and can reorder updates; this reports in order.</summary>
    private sealed class SynchronousProgress<TValue>(Action<TValue> report) : IProgress<TValue>
    {
        public void Report(TValue value) => report(value);
    }
}
