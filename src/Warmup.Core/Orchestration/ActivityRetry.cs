using Microsoft.DurableTask;
using Warmup.Core.Planning;
using Warmup.Core.Targets;

namespace Warmup.Core.Orchestration;

/// <summary>
/// Retry for infrastructure faults only (a worker crash, a lost connection to the task hub). Probe failures never reach
/// here: they are data inside StepResult. Bad input (unknown target, unknown dialect, invalid plan) is an
/// ArgumentException and is not retried: the same input fails the same way.
/// </summary>
public static class ActivityRetry
{
    private static readonly string[] BadInputTypes =
    [
        typeof(ArgumentException).FullName!,
        typeof(ArgumentNullException).FullName!,
        typeof(ArgumentOutOfRangeException).FullName!,
        typeof(UnknownTargetException).FullName!,
        typeof(PlanValidationException).FullName!,
        typeof(CredentialsUnavailableException).FullName!,
    ];

    public static TaskOptions Options { get; } = Create(maxAttempts: 3, firstRetry: TimeSpan.FromSeconds(1));

    public static TaskOptions Create(int maxAttempts, TimeSpan firstRetry)
        => TaskOptions.FromRetryPolicy(new RetryPolicy(maxAttempts, firstRetry, backoffCoefficient: 2.0, maxRetryInterval: TimeSpan.FromSeconds(30))
        {
            HandleFailure = failure => !IsBadInput(failure),
        });

    /// <summary>
    /// Matches on type names along the failure chain: across the isolated-worker boundary only names survive
    /// (an ArgumentException may arrive wrapped, e.g. as an AggregateException).
    /// </summary>
    public static bool IsBadInput(TaskFailureDetails? failure)
    {
        for (var f = failure; f is not null; f = f.InnerFailure)
        {
            if (BadInputTypes.Contains(f.ErrorType, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
