using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Warmup.Infra.Tests.Bicep;

namespace Warmup.Infra.Tests.Monitoring;

/// <summary>
/// KQL lives once in infra/queries/*.kql; the workbook (infra/workbook/warmup-workbook.json) and the alert
/// rule load it. These tests keep the three in step and check the queries against the telemetry names.
/// </summary>
[Collection(InfraBuildCollection.Name)]
public sealed partial class MonitoringTests(InfraBuild infra)
{
    // Names the telemetry helper emits (Warmup.Core/Telemetry); the queries may use no others.
    private static readonly HashSet<string> _eventNames =
        ["WarmupRunCompleted", "WarmupStepCompleted", "WarmupSkipped", "DeploymentEventIgnored"];

    private static readonly HashSet<string> _metricNames =
        ["warmup.ttft", "warmup.itl", "warmup.e2e", "warmup.requests", "warmup.errors", "warmup.tokens.generated"];

    private static string QueriesDir => Path.Combine(RepoPaths.Infra, "queries");

    private static string WorkbookLayoutPath => Path.Combine(RepoPaths.Infra, "workbook", "warmup-workbook.json");

    private static IReadOnlyList<string> QueryFiles =>
        Directory.EnumerateFiles(QueriesDir, "*.kql").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    [Fact]
    public void Workbook_layout_is_valid_json_whose_placeholders_name_existing_query_files()
    {
        var layout = File.ReadAllText(WorkbookLayoutPath);
        var document = JsonNode.Parse(layout)!;
        Assert.Equal("Notebook/1.0", (string?)document["version"]);

        var placeholders = QueryPlaceholder().Matches(layout).Select(m => m.Groups["file"].Value).ToList();
        Assert.NotEmpty(placeholders);
        Assert.All(placeholders, file => Assert.True(File.Exists(Path.Combine(QueriesDir, file)), $"{file} not in infra/queries"));
    }

    [Fact]
    public void Every_query_file_is_used_by_the_workbook_or_the_alert()
    {
        var layout = File.ReadAllText(WorkbookLayoutPath);
        var alerts = File.ReadAllText(Path.Combine(RepoPaths.Infra, "modules", "alerts.bicep"));
        var unused = QueryFiles.Where(file => !layout.Contains($"{{{{query:{file}}}}}", StringComparison.Ordinal)
            && !alerts.Contains($"'../queries/{file}'", StringComparison.Ordinal));
        Assert.Empty(unused);
    }

    [Fact]
    public void Deployed_workbook_has_every_query_spliced_in()
    {
        var workbook = infra.SingleResource("Microsoft.Insights/workbooks")["properties"]!;
        var serialized = (string)workbook["serializedData"]!;
        Assert.DoesNotContain("{{", serialized, StringComparison.Ordinal);

        var queries = JsonNode.Parse(serialized)!["items"]!.AsArray()
            .Where(item => (int?)item!["type"] == 3)
            .Select(item => (string)item!["content"]!["query"]!)
            .ToList();
        var layoutQueryCount = QueryPlaceholder().Matches(File.ReadAllText(WorkbookLayoutPath)).Count;
        Assert.Equal(layoutQueryCount, queries.Count);

        var fromFiles = QueryFiles.Select(f => File.ReadAllText(Path.Combine(QueriesDir, f))).ToHashSet(StringComparer.Ordinal);
        Assert.All(queries, q => Assert.Contains(q, fromFiles));
        Assert.Contains(queries, q => q.Contains("\"WarmupStepCompleted\"", StringComparison.Ordinal) && q.Contains("\"first-user-like\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("\"WarmupRunCompleted\"", StringComparison.Ordinal));
        Assert.Contains(queries, q => q.Contains("\"warmup.ttft\"", StringComparison.Ordinal));

        var workspace = infra.SingleResource("Microsoft.OperationalInsights/workspaces");
        Assert.Equal((string?)workspace["id"], (string?)workbook["sourceId"]);
    }

    [Fact]
    public void Alert_rule_runs_the_not_warm_query_on_the_workspace_with_its_own_identity()
    {
        var rule = infra.SingleResource("Microsoft.Insights/scheduledQueryRules");
        var properties = rule["properties"]!;
        Assert.Equal("SystemAssigned", (string?)rule["identity"]!["type"]);
        Assert.Equal((string?)infra.SingleResource("Microsoft.OperationalInsights/workspaces")["id"], (string?)properties["scopes"]![0]);

        var criterion = properties["criteria"]!["allOf"]![0]!;
        Assert.Equal(File.ReadAllText(Path.Combine(QueriesDir, "alert-run-not-warm.kql")), (string?)criterion["query"]);
        Assert.Equal(["target", "verdict"], criterion["dimensions"]!.AsArray().Select(d => (string)d!["name"]!));

        var actionGroup = infra.SingleResource("Microsoft.Insights/actionGroups");
        Assert.Equal("llm-ops@contoso.example", (string?)actionGroup["properties"]!["emailReceivers"]![0]!["emailAddress"]);
        Assert.Equal((string?)actionGroup["id"], (string?)properties["actions"]!["actionGroups"]![0]);
    }

    [Fact]
    public void Queries_use_only_known_event_and_metric_names()
    {
        foreach (var file in QueryFiles)
        {
            var kql = StripComments(File.ReadAllText(Path.Combine(QueriesDir, file)));
            var table = Regex.Match(kql, @"^\s*(?<table>\w+)").Groups["table"].Value;
            Assert.True(table is "AppEvents" or "AppMetrics", $"{file} starts from {table}; the workbook and alert query the workspace (AppEvents/AppMetrics).");

            var names = NameFilter().Matches(kql).SelectMany(m => QuotedString().Matches(m.Value).Select(q => q.Groups["s"].Value)).ToList();
            Assert.True(names.Count > 0, $"{file} does not filter on Name.");
            var known = table == "AppEvents" ? _eventNames : _metricNames;
            Assert.All(names, name => Assert.True(known.Contains(name), $"{file}: unknown {table} name '{name}'."));
        }
    }

    [Fact]
    public void Queries_have_balanced_brackets_and_quotes()
    {
        foreach (var file in QueryFiles)
        {
            var kql = StripComments(File.ReadAllText(Path.Combine(QueriesDir, file)));
            Assert.True(kql.Count(c => c == '"') % 2 == 0, $"{file}: odd number of quotes");
            var depth = 0;
            foreach (var c in QuotedString().Replace(kql, "\"\""))
            {
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                Assert.True(depth >= 0, $"{file}: ')' without '('");
            }

            Assert.True(depth == 0, $"{file}: unclosed '('");
        }
    }

    private static string StripComments(string kql) => Regex.Replace(kql, @"//[^\n]*", "");

    [GeneratedRegex(@"\{\{query:(?<file>[\w.\-]+\.kql)\}\}")]
    private static partial Regex QueryPlaceholder();

    [GeneratedRegex(@"\bName\s*(?:==|in\s*\([^)]*\))\s*(?:""[^""]*"")?")]
    private static partial Regex NameFilter();

    [GeneratedRegex("\"(?<s>[^\"]*)\"")]
    private static partial Regex QuotedString();
}
