namespace Warmup.Core.Planning;

/// <summary>
/// A plan that cannot run against its target. Bad input, not an infrastructure fault: activities that throw it
/// are not retried. The message lists every problem, one per line.
/// </summary>
public sealed class PlanValidationException : ArgumentException
{
    public PlanValidationException(IReadOnlyList<string> problems)
        : base(string.Join(Environment.NewLine, problems))
    {
        Problems = problems;
    }

    public PlanValidationException(string problem)
        : this([problem])
    {
    }

    public IReadOnlyList<string> Problems { get; }
}
