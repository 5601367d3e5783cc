namespace Warmup.Bench;

/// <summary>One benchmark of the harness: runs, prints a summary, and returns a JSON-serialisable result.</summary>
public interface IBenchmark
{
    /// <summary>Name used on the command line and as the results file name (bench/results/{Name}.json).</summary>
    string Name { get; }

    Task<object> RunAsync(BenchOptions options, CancellationToken cancellationToken);
}

/// <summary>Options shared by all benchmarks. Quick mode shrinks the run for smoke checks.</summary>
public sealed record BenchOptions(bool Quick);
