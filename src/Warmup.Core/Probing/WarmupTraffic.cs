namespace Warmup.Core.Probing;

/// <summary>How warm-up traffic is marked so operators can filter it out of their own dashboards.</summary>
public static class WarmupTraffic
{
    /// <summary>Header on every warm-up request; value is the run's correlation id.</summary>
    public const string HeaderName = "X-Warmup-Request";

    /// <summary>Value of the OpenAI "user" field (and similar) on every warm-up request.</summary>
    public const string UserField = "warmup";
}
