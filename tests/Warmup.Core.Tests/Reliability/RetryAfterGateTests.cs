using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Warmup.Core.Reliability;

namespace Warmup.Core.Tests.Reliability;

public sealed class RetryAfterGateTests
{
    [Fact]
    public async Task A_held_target_waits_at_least_the_hold_and_others_do_not_wait()
    {
        var gate = new RetryAfterGate(TimeProvider.System);
        gate.Hold("busy", TimeSpan.FromMilliseconds(300));
        var clock = Stopwatch.StartNew();

        var other = await gate.WaitTurnAsync("other", CancellationToken.None);
        var waited = await gate.WaitTurnAsync("busy", CancellationToken.None);

        Assert.Equal(TimeSpan.Zero, other);
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"released after {clock.Elapsed}");
        Assert.True(waited >= TimeSpan.FromMilliseconds(290), $"reported {waited}");
        Assert.Equal(TimeSpan.Zero, await gate.WaitTurnAsync("busy", CancellationToken.None));
    }

    [Fact]
    public async Task A_hold_is_capped_so_a_huge_Retry_After_cannot_park_a_run()
    {
        var time = new FakeTimeProvider();
        var gate = new RetryAfterGate(time);
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", "86400");
        gate.Hold("t", gate.HoldFor(response)!.Value);

        var waiting = gate.WaitTurnAsync("t", CancellationToken.None);
        time.Advance(RetryAfterGate.MaxHold - TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(RetryAfterGate.MaxHold, await waiting);
    }

    [Theory]
    [InlineData(429, "2", 2000.0)]
    [InlineData(503, "1", 1000.0)]
    [InlineData(429, null, 1000.0)]
    public void Reads_Retry_After_seconds_and_defaults_a_bare_429(int status, string? header, double expectedMs)
    {
        var gate = new RetryAfterGate(TimeProvider.System);
        using var response = new HttpResponseMessage((HttpStatusCode)status);
        if (header is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", header);
        }

        Assert.Equal(expectedMs, gate.HoldFor(response)!.Value.TotalMilliseconds);
    }

    [Fact]
    public void A_bare_503_or_a_500_holds_nothing()
    {
        var gate = new RetryAfterGate(TimeProvider.System);
        using var unavailable = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        using var error = new HttpResponseMessage(HttpStatusCode.InternalServerError);
        error.Headers.TryAddWithoutValidation("Retry-After", "5");

        Assert.Null(gate.HoldFor(unavailable));
        Assert.Null(gate.HoldFor(error));
    }
}
