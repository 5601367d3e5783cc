using System.Collections.Concurrent;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Warmup.Cli.Hosting;
using Warmup.Core.Orchestration;
using Warmup.Core.Planning;
using Warmup.Core.Probing;
using Warmup.Core.Reporting;
using Warmup.Core.Targets;
using Warmup.Integration.Tests.Orchestration;

namespace Warmup.Integration.Tests.Reliability;

/// <summary>
/// A canary key through a whole run against a server that reflects the Authorization header it received in its error
/// bodies (a misconfigured gateway does this): the key appears in no log line, report, custom status or orchestration
/// output/input (what the status API serves). Telemetry envelopes are scanned in Telemetry/OrchestrationExportTests.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class CanaryKeyTests
{
    private const string Canary = "sk-CANARY-5b1e0c7d9a";

    [Fact]
    public async Task A_key_echoed_back_by_the_server_appears_in_no_output()
    {
        await using var server = await ReflectingServer.StartAsync();
        var target = WarmupHost.Target("canary", server.BaseUrl) with { Auth = new TargetAuth { ApiKeySetting = "CANARY_KEY" } };
        var logs = new CapturingLoggerProvider();
        using var spans = new SpanCapture();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var sink = new CollectingSink();
        await using var host = await FreePortTestHost.StartAsync(
            registry => registry.AddWarmupTasks(),
            port => new DurableTaskTestHostOptions
            {
                Port = port,
                LoggerFactory = loggerFactory,
                ConfigureServices = services =>
                {
                    services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
                    services.AddWarmupEngine();
                    services.AddSingleton<ITargetCatalog>(new InMemoryTargetCatalog(target));
                    services.AddSingleton<IRequestAuthenticator>(new EnvironmentApiKeyAuthenticator(name => name == "CANARY_KEY" ? Canary : null));
                    services.AddSingleton<IWarmupResultSink>(sink);
                },
            });

        var (report, metadata) = await WarmupHost.RunAsync(host, new WarmupRequest("canary", WarmupReasons.Manual, PlanSpec.FromPreset(PlanPresets.Light), "corr-canary"));

        // The key did reach the server, which sent it back in its 401 body.
        Assert.Contains($"Bearer {Canary}", server.Seen);
        Assert.Equal(RunOutcomes.Aborted, report.Outcome);
        Assert.Equal(1, report.Totals.ErrorsByOutcome["HttpError:401"]);
        string[] outputs =
        [
            ReportJson.Serialize(report),
            ReportJson.Serialize(Assert.Single(sink.Reports)),
            metadata.SerializedOutput ?? "",
            metadata.SerializedInput ?? "",
            metadata.SerializedCustomStatus ?? "",
        ];
        Assert.NotEmpty(logs.Lines);
        Assert.All(outputs.Concat(logs.Lines), text => Assert.DoesNotContain(Canary, text, StringComparison.Ordinal));
        // Spans carry the probe's error text to Application Insights: the reflected key is redacted there.
        var failed = Assert.Single(spans.Stopped, s => s.StatusDescription?.Contains("HttpError", StringComparison.Ordinal) == true);
        Assert.Contains("[redacted]", failed.StatusDescription, StringComparison.Ordinal);
        Assert.All(spans.Stopped, s => Assert.DoesNotContain(Canary, s.StatusDescription + string.Join(" ", s.TagObjects.Select(t => $"{t.Key}={t.Value}")), StringComparison.Ordinal));
    }

    private sealed class SpanCapture : IDisposable
    {
        private readonly System.Diagnostics.ActivityListener _listener;

        public SpanCapture()
        {
            _listener = new System.Diagnostics.ActivityListener
            {
                ShouldListenTo = source => source.Name == Core.Telemetry.WarmupTelemetry.SourceName,
                Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = Stopped.Enqueue,
            };
            System.Diagnostics.ActivitySource.AddActivityListener(_listener);
        }

        public ConcurrentQueue<System.Diagnostics.Activity> Stopped { get; } = new();

        public void Dispose() => _listener.Dispose();
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Capturing(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Capturing(CapturingLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
                => owner.Lines.Enqueue($"{category} {logLevel}: {formatter(state, exception)} {exception}");
        }
    }
}
