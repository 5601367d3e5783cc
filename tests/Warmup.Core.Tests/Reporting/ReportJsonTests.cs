using System.Text.Json;
using Warmup.Core.Reporting;

namespace Warmup.Core.Tests.Reporting;

public sealed class ReportJsonTests
{
    [Fact]
    public void Round_trips()
    {
        var report = SampleReports.Warm();

        var json = ReportJson.Serialize(report);
        var back = ReportJson.Deserialize(json);

        Assert.Equal(json, ReportJson.Serialize(back));
        Assert.Equal(report.Steps[1].ErrorsByOutcome, back.Steps[1].ErrorsByOutcome);
        Assert.Equal(report.Verdict!.ByLength, back.Verdict!.ByLength);
        Assert.Equal(report.StartedAt, back.StartedAt);
    }

    [Fact]
    public void Matches_the_golden_v1_document()
    {
        // The schema is stable (warmup.report/v1): fields may be added, never renamed or removed. If this test fails
        // because a field was added, add it here and to docs/report-schema.md; any other change is a breaking change.
        var json = ReportJson.Serialize(SampleReports.Warm());

        Assert.Equal(Golden.ReplaceLineEndings(), json.ReplaceLineEndings());
    }

    [Fact]
    public void Reads_a_document_that_lacks_later_optional_fields()
    {
        var minimal = """
            {
              "schema": "warmup.report/v1", "runId": "r", "correlationId": "c", "target": "t", "dialect": "openai",
              "model": "m", "reason": "manual", "plan": "light", "outcome": "never-ready",
              "readiness": { "ready": false, "timeToReadyMs": 10, "attempts": 2, "lastError": "refused" },
              "totals": { "requests": 0, "failed": 0, "promptTokens": 0, "outputTokens": 0, "errorsByOutcome": {} }
            }
            """;

        var report = ReportJson.Deserialize(minimal);

        Assert.Equal(RunOutcomes.NeverReady, report.Outcome);
        Assert.Empty(report.Steps);
        Assert.Null(report.Readiness.MaxContext);
    }

    [Fact]
    public void Rejects_a_document_without_required_fields()
        => Assert.Throws<JsonException>(() => ReportJson.Deserialize("""{ "schema": "warmup.report/v1" }"""));

    [Fact]
    public async Task The_file_sink_writes_a_file_per_run_in_a_folder()
    {
        var folder = Directory.CreateTempSubdirectory("warmup-report-").FullName;
        try
        {
            var sink = new JsonFileResultSink(folder);
            var report = SampleReports.Warm();

            await sink.RecordAsync(report, CancellationToken.None);

            Assert.Equal(Path.Combine(folder, "warmup-vllm-a-20260301T120012Z.json"), sink.LastWrittenPath);
            Assert.Equal(ReportJson.Serialize(report), await File.ReadAllTextAsync(sink.LastWrittenPath!));
            Assert.Single(Directory.GetFiles(folder));

            var file = Path.Combine(folder, "nested", "out.json");
            await new JsonFileResultSink(file).RecordAsync(report, CancellationToken.None);
            Assert.True(File.Exists(file));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private const string Golden = """
        {
          "schema": "warmup.report/v1",
          "runId": "warmup-vllm-a",
          "correlationId": "corr-1",
          "target": "vllm-a",
          "deployment": null,
          "dialect": "openai",
          "model": "llama",
          "reason": "manual",
          "plan": "light",
          "notes": [
            "a note"
          ],
          "startedAt": "2026-03-01T12:00:00+00:00",
          "finishedAt": "2026-03-01T12:00:12.5+00:00",
          "durationMs": 12500,
          "outcome": "warm",
          "readiness": {
            "ready": true,
            "timeToReadyMs": 1234.5,
            "attempts": 3,
            "lastError": null,
            "maxContext": 4096,
            "configurationError": null
          },
          "steps": [
            {
              "step": {
                "promptTokens": 64,
                "maxOutputTokens": 8,
                "concurrency": 1,
                "adapter": null
              },
              "phase": "warmup",
              "requests": 1,
              "succeeded": 1,
              "ttftMs": {
                "count": 1,
                "p50": 50,
                "p90": 60,
                "p99": 70,
                "max": 71
              },
              "interTokenMs": {
                "count": 7,
                "p50": 10,
                "p90": 12,
                "p99": 14,
                "max": 15
              },
              "e2eMs": {
                "count": 1,
                "p50": 120,
                "p90": 130,
                "p99": 140,
                "max": 141
              },
              "errorsByOutcome": {},
              "promptTokens": 64,
              "outputTokens": 8,
              "retryAfterWaits": 0,
              "retryAfterWaitMs": 0,
              "wallMs": 150,
              "startedAt": null,
              "requestTtftMs": null,
              "promptLengths": null,
              "concurrencies": null
            },
            {
              "step": {
                "promptTokens": 32,
                "maxOutputTokens": 8,
                "concurrency": 2,
                "adapter": null
              },
              "phase": "warmup",
              "requests": 2,
              "succeeded": 1,
              "ttftMs": {
                "count": 1,
                "p50": 50,
                "p90": 60,
                "p99": 70,
                "max": 71
              },
              "interTokenMs": {
                "count": 7,
                "p50": 10,
                "p90": 12,
                "p99": 14,
                "max": 15
              },
              "e2eMs": {
                "count": 1,
                "p50": 120,
                "p90": 130,
                "p99": 140,
                "max": 141
              },
              "errorsByOutcome": {
                "HttpError:503": 1
              },
              "promptTokens": 64,
              "outputTokens": 8,
              "retryAfterWaits": 0,
              "retryAfterWaitMs": 0,
              "wallMs": 150,
              "startedAt": null,
              "requestTtftMs": null,
              "promptLengths": null,
              "concurrencies": null
            }
          ],
          "firstUserLike": {
            "step": {
              "promptTokens": 136,
              "maxOutputTokens": 8,
              "concurrency": 1,
              "adapter": null
            },
            "phase": "verify",
            "requests": 1,
            "succeeded": 1,
            "ttftMs": {
              "count": 1,
              "p50": 50,
              "p90": 60,
              "p99": 70,
              "max": 71
            },
            "interTokenMs": {
              "count": 7,
              "p50": 10,
              "p90": 12,
              "p99": 14,
              "max": 15
            },
            "e2eMs": {
              "count": 1,
              "p50": 120,
              "p90": 130,
              "p99": 140,
              "max": 141
            },
            "errorsByOutcome": {},
            "promptTokens": 136,
            "outputTokens": 8,
            "retryAfterWaits": 0,
            "retryAfterWaitMs": 0,
            "wallMs": 150,
            "startedAt": null,
            "requestTtftMs": null,
            "promptLengths": [
              48,
              136
            ],
            "concurrencies": null
          },
          "steady": {
            "step": {
              "promptTokens": 136,
              "maxOutputTokens": 8,
              "concurrency": 1,
              "adapter": null
            },
            "phase": "steady",
            "requests": 1,
            "succeeded": 1,
            "ttftMs": {
              "count": 1,
              "p50": 50,
              "p90": 60,
              "p99": 70,
              "max": 71
            },
            "interTokenMs": {
              "count": 7,
              "p50": 10,
              "p90": 12,
              "p99": 14,
              "max": 15
            },
            "e2eMs": {
              "count": 1,
              "p50": 120,
              "p90": 130,
              "p99": 140,
              "max": 141
            },
            "errorsByOutcome": {},
            "promptTokens": 136,
            "outputTokens": 8,
            "retryAfterWaits": 0,
            "retryAfterWaitMs": 0,
            "wallMs": 150,
            "startedAt": null,
            "requestTtftMs": null,
            "promptLengths": [
              48,
              136
            ],
            "concurrencies": null
          },
          "verdict": {
            "firstTtftMs": 55,
            "steadyTtftMs": 50,
            "ratio": 1.1,
            "threshold": 1.2,
            "isWarm": true,
            "reason": "worst ratio 1.10x at 136 prompt tokens, within 1.20x",
            "byLength": [
              {
                "promptTokens": 48,
                "firstTtftMs": 52,
                "steadyTtftMs": 50,
                "ratio": 1.04,
                "isCold": false
              },
              {
                "promptTokens": 136,
                "firstTtftMs": 55,
                "steadyTtftMs": 50,
                "ratio": 1.1,
                "isCold": false
              }
            ],
            "byConcurrency": [],
            "coldAdapters": [],
            "worstPromptTokens": 136,
            "noiseFloorMs": null,
            "clientStalledShapes": 0
          },
          "adaptive": null,
          "adapters": {
            "configured": [
              "sql-lora"
            ],
            "discovered": [
              "chat-lora",
              "code-lora"
            ],
            "warmed": [
              "sql-lora",
              "chat-lora"
            ],
            "leftOut": [
              "code-lora"
            ],
            "capacity": 2
          },
          "earlierVerifications": [],
          "outages": [],
          "totals": {
            "requests": 5,
            "failed": 1,
            "promptTokens": 400,
            "outputTokens": 32,
            "errorsByOutcome": {
              "HttpError:503": 1
            },
            "retryAfterWaits": 0,
            "retryAfterWaitMs": 0
          },
          "errorMeanings": {},
          "traceParent": null,
          "error": null
        }
        """;
}
