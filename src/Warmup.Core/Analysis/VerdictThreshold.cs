using System.Globalization;

namespace Warmup.Core.Analysis;

/// <summary>
/// The one accepted range of the warm threshold (first-user-like TTFT / steady TTFT), checked the same way by the HTTP
/// API and the CLI. Above 1, because at exactly 1 timing noise alone makes a warm endpoint "not warm"; at most 10,
/// because a first request ten times slower than steady is a cold start by any measure.
/// </summary>
public static class VerdictThreshold
{
    /// <summary>Exclusive lower bound.</summary>
    public const double Above = 1.0;

    /// <summary>Inclusive upper bound.</summary>
    public const double AtMost = 10.0;

    /// <summary>Null when <paramref name="value"/> is accepted, else one sentence saying why not.</summary>
    public static string? Problem(double value) => value > Above && value <= AtMost
        ? null
        : Rejected(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>The sentence for a rejected threshold, given as the caller wrote it.</summary>
    public static string Rejected(string given) => string.Create(CultureInfo.InvariantCulture,
        $"threshold must be a number above {Above:0.0} and at most {AtMost:0} (first-user-like TTFT / steady TTFT), got {given}");
}
