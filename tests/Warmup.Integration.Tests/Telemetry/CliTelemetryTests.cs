using System.Text;
using Warmup.Cli.Telemetry;
using Warmup.Core.Planning;
using Warmup.Core.Probing;
using Warmup.Core.Telemetry;

namespace Warmup.Integration.Tests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class CliTelemetryTests
{
    public CliTelemetryTests() => ExporterEnvironment.KeepOnLoopback();

    [Fact]
    public void Without_a_connection_string_or_an_OTLP_endpoint_nothing_is_started()
    {
        Assert.Null(CliTelemetry.Start(new Dictionary<string, string?>()));
        Assert.Null(CliTelemetry.Start(new Dictionary<string, string?>
        {
            [CliTelemetry.ConnectionStringVariable] = "  ",
            [CliTelemetry.OtlpEndpointVariable] = "",
        }));
    }

    [Theory]
    [InlineData("not a url", null, "OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("ftp://127.0.0.1:4318", null, "OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("http://127.0.0.1:4318", "carrier-pigeon", "OTEL_EXPORTER_OTLP_PROTOCOL")]
    public void Unusable_OTLP_settings_fail_with_one_clear_message(string endpoint, string? protocol, string named)
    {
        var error = Assert.Throws<CliTelemetryConfigurationException>(() => CliTelemetry.Start(new Dictionary<string, string?>
        {
            [CliTelemetry.OtlpEndpointVariable] = endpoint,
            [CliTelemetry.OtlpProtocolVariable] = protocol,
        }));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void A_malformed_connection_string_fails_with_one_clear_message()
    {
        var error = Assert.Throws<CliTelemetryConfigurationException>(() => CliTelemetry.Start(new Dictionary<string, string?>
        {
            [CliTelemetry.ConnectionStringVariable] = "this is not a connection string",
        }));
        Assert.Contains(CliTelemetry.ConnectionStringVariable, error.Message);
        Assert.DoesNotContain("   at ", error.Message);
    }

    [Fact]
    public async Task OTLP_http_protobuf_receives_traces_metrics_and_logs_on_loopback()
    {
        await using var collector = await OtlpListener.StartAsync();
        var target = "tele-otlp-" + Guid.NewGuid().ToString("N")[..8];
        var telemetry = CliTelemetry.Start(new Dictionary<string, string?>
        {
            [CliTelemetry.OtlpEndpointVariable] = collector.Endpoint,
            [CliTelemetry.OtlpProtocolVariable] = "http/protobuf",
            [CliTelemetry.ServiceNameVariable] = "warmup-otlp-test",
        })!;
        try
        {
            Assert.Equal([$"OTLP {collector.Endpoint}/"], telemetry.Destinations);
            var step = new PlanStep(256, 8, 1);
            using (WarmupSpans.StartStep(null, target, step, "warmup", 0))
            {
                WarmupMetrics.RecordProbe(target, "warmup", step, new ProbeResult { Outcome = ProbeOutcome.Ok, TtftMs = 42, E2eMs = 90, OutputTokens = 8 });
            }

            new WarmupEvents(telemetry.LoggerFactory).Skipped(target, "recently-warm", "idle");
        }
        finally
        {
            telemetry.Dispose();
        }

        var requests = collector.Requests;
        foreach (var path in new[] { "/v1/traces", "/v1/metrics", "/v1/logs" })
        {
            // Cumulative metrics are exported again at shutdown, so a path may be posted more than once.
            var matching = requests.Where(r => r.Path == path && Encoding.UTF8.GetString(r.Body).Contains(target, StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(matching);
            Assert.All(matching, r => Assert.Equal("application/x-protobuf", r.ContentType));
        }

        Assert.Contains(requests, r => Encoding.UTF8.GetString(r.Body).Contains("warmup-otlp-test", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Both_destinations_receive_when_both_variables_are_set()
    {
        await using var collector = await OtlpListener.StartAsync();
        await using var ingestion = await IngestionListener.StartAsync();
        var target = "tele-both-" + Guid.NewGuid().ToString("N")[..8];
        var telemetry = CliTelemetry.Start(new Dictionary<string, string?>
        {
            [CliTelemetry.ConnectionStringVariable] = ingestion.ConnectionString,
            [CliTelemetry.OtlpEndpointVariable] = collector.Endpoint,
            [CliTelemetry.OtlpProtocolVariable] = "http/protobuf",
        })!;
        try
        {
            Assert.Equal(2, telemetry.Destinations.Count);
            new WarmupEvents(telemetry.LoggerFactory).Skipped(target, "disabled", "deployment");
        }
        finally
        {
            telemetry.Dispose();
        }

        Assert.Single(ingestion.Envelopes.Events(WarmupEvents.SkippedName).ForTarget(target));
        Assert.Contains(collector.Requests, r => r.Path == "/v1/logs" && Encoding.UTF8.GetString(r.Body).Contains(target, StringComparison.Ordinal));
    }
}
