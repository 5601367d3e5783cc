using Warmup.Cli.Hosting;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;

namespace Warmup.Cli.Tests;

/// <summary>
/// A cancelled run is handed back as soon as the in-process record of its report has it; every sink the user sees
/// (the JSON file first of all) must have written it before then. A CI run once read the report back before the
/// JSON sink had written it and failed with "the report could not be written".
/// </summary>
public sealed class EmbeddedSinkOrderTests
{
    [Fact]
    public async Task The_in_process_record_is_the_last_sink_the_Record_step_runs()
    {
        var report = Path.Combine(Path.GetTempPath(), $"report-{Guid.NewGuid():n}.json");
        await using var host = await EmbeddedDurableHost.StartAsync(new TargetCatalog([]), report, telemetry: null, CancellationToken.None);

        var sinks = host.Sinks.ToList();

        Assert.Equal(2, sinks.Count);
        Assert.IsType<JsonFileResultSink>(sinks[0]);
        Assert.IsType<RecordedReports>(sinks[^1]);
    }
}
