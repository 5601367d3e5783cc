using Warmup.Core.Dialects;
using Warmup.Core.Probing;

namespace Warmup.Core.Tests.Probing;

/// <summary>
/// Each dialect's self-warm stream is one its parser reads as a server's: tokens and no error, so the code warmed is
/// the code a first measured request runs (a sample a parser had come to reject would warm its error path instead).
/// </summary>
public sealed class DialectSelfWarmTests
{
    public static TheoryData<string> Dialects => new(DialectSelfWarm.Samples.Keys);

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task The_sample_parses_to_tokens_without_an_error(string name)
    {
        var events = await DialectSelfWarm.RunAsync(DialectRegistry.Default.Get(name), DialectSelfWarm.Samples[name]);

        Assert.True(events.Count(e => e.Kind == StreamEventKind.Token) >= 1, string.Join(", ", events.Select(e => e.Kind)));
        Assert.DoesNotContain(events, e => e.Kind is StreamEventKind.Error or StreamEventKind.Malformed);
    }

    [Fact]
    public void Every_native_dialect_has_a_sample_and_OpenAI_is_left_to_the_loopback_self_warm()
    {
        var natives = DialectRegistry.Default.Names.Where(n => n is not DialectNames.OpenAi and not DialectNames.Auto).ToList();

        Assert.Equal(natives.Order(), DialectSelfWarm.Samples.Keys.Order());
        Assert.Same(Task.CompletedTask, DialectSelfWarm.EnsureAsync(DialectRegistry.Default.Get(DialectNames.OpenAi)));
    }

    [Fact]
    public async Task A_dialect_is_warmed_once_per_process()
    {
        var tgi = DialectRegistry.Default.Get(DialectNames.Tgi);

        var first = DialectSelfWarm.EnsureAsync(tgi);
        await first;

        Assert.Same(first, DialectSelfWarm.EnsureAsync(tgi));
    }
}
