using Microsoft.Extensions.Configuration;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Functions.Tests;

public sealed class TargetCatalogTests
{
    private const string Good = """
        { "name": "llama-prod", "baseUrl": "http://10.0.0.4:8000", "dialect": "openai", "model": "meta-llama/Llama-3.1-8B-Instruct",
          "api": "chat", "adapters": ["sql-lora"],
          "auth": { "apiKeySetting": "LLAMA_KEY", "azureMlDeployment": "blue" },
          "limits": { "maxConcurrency": 16, "maxTokensPerRun": 200000, "readyDeadline": "00:10:00", "requestTimeout": "00:01:00" },
          "eventRules": [ { "eventTypes": ["Microsoft.Resources.ResourceWriteSuccess"], "resourceIdPrefix": "/subscriptions/s/resourceGroups/rg" } ] }
        """;

    [Fact]
    public void Parses_every_field_of_a_good_target()
    {
        var catalog = TargetCatalog.Parse($$"""{ "targets": [ {{Good}} ] }""", "test");

        Assert.Empty(catalog.Problems);
        var target = Assert.Single(catalog.Targets);
        Assert.Equal("llama-prod", target.Name);
        Assert.Equal(new Uri("http://10.0.0.4:8000/"), target.BaseUrl);
        Assert.Equal(OpenAiApis.Chat, target.Api);
        Assert.Equal(["sql-lora"], target.Adapters);
        Assert.Equal("LLAMA_KEY", target.Auth.ApiKeySetting);
        Assert.Equal("blue", target.Auth.AzureMlDeployment);
        Assert.Equal(16, target.Limits.MaxConcurrency);
        Assert.Equal(200_000, target.Limits.MaxTokensPerRun);
        Assert.Equal(TimeSpan.FromMinutes(10), target.Limits.ReadyDeadline);
        Assert.Equal(TimeSpan.FromMinutes(1), target.Limits.RequestTimeout);
        var rule = Assert.Single(target.EventRules);
        Assert.Equal("/subscriptions/s/resourceGroups/rg", rule.ResourceIdPrefix);
        Assert.True(catalog.TryGet("llama-prod", out _));
    }

    [Fact]
    public void Bad_targets_go_to_problems_and_good_ones_still_load()
    {
        var json = $$"""
            { "targets": [
              { "name": "ftp-one", "baseUrl": "ftp://x", "model": "m" },
              {{Good}},
              { "name": "odd-dialect", "baseUrl": "http://a", "model": "m", "dialect": "grpc-magic" },
              { "name": "Bad Name", "baseUrl": "http://a", "model": "m" },
              { "name": "too-wide", "baseUrl": "http://a", "model": "m", "limits": { "maxConcurrency": 0 } },
              { "name": "typo", "baseUrl": "http://a", "model": "m", "eventRule": [] },
              { "name": "creds", "baseUrl": "http://user:secret@a/", "model": "m" },
              { "name": "no-model", "baseUrl": "http://a" },
              { "name": "wide-rule", "baseUrl": "http://a", "model": "m", "eventRules": [ { "eventTypes": ["Microsoft.Resources.ResourceWriteSuccess"] } ] },
              { "name": "bad-regex", "baseUrl": "http://a", "model": "m", "eventRules": [ { "resourceIdPattern": "([" } ] },
              { "name": "not-a-number", "baseUrl": "http://a", "model": "m", "limits": { "maxConcurrency": "lots" } }
            ] }
            """;

        var catalog = TargetCatalog.Parse(json, "test");

        Assert.Equal(["llama-prod"], catalog.Targets.Select(t => t.Name));
        Assert.Equal(10, catalog.Problems.Count);
        Assert.Contains("target 'ftp-one': baseUrl 'ftp://x' must be an absolute http(s) URL", catalog.Problems);
        Assert.Contains(catalog.Problems, p => p.StartsWith("target 'odd-dialect': dialect 'grpc-magic' is not known; known dialects: ") &&
                                               p.Contains(DialectNames.OpenAi) && p.Contains(DialectNames.VllmGenerate));
        Assert.Contains(catalog.Problems, p => p.Contains("name 'Bad Name' must match [a-z0-9-]{1,48}"));
        Assert.Contains("target 'too-wide': limits.maxConcurrency 0 must be between 1 and 256", catalog.Problems);
        Assert.Contains("target 'typo': unknown property 'eventRule'", catalog.Problems);
        Assert.Contains(catalog.Problems, p => p.StartsWith("target 'creds': baseUrl must not carry credentials") && !p.Contains("secret"));
        Assert.Contains(catalog.Problems, p => p.StartsWith("target 'no-model': model is required"));
        Assert.Contains(catalog.Problems, p => p.StartsWith("target 'wide-rule': eventRules[0] must name a resourceIdPrefix, a resourceIdPattern or a repository"));
        Assert.Contains(catalog.Problems, p => p.StartsWith("target 'bad-regex': eventRules[0].resourceIdPattern is not a valid regular expression"));
        Assert.Contains(catalog.Problems, p => p.StartsWith("target 'not-a-number': invalid value for 'limits.maxConcurrency'"));
    }

    [Fact]
    public void Several_problems_of_one_target_make_one_message()
    {
        var catalog = TargetCatalog.Parse("""[ { "name": "two-faults", "baseUrl": "x", "model": "" } ]""", "test");

        var problem = Assert.Single(catalog.Problems);
        Assert.StartsWith("target 'two-faults': baseUrl 'x' must be an absolute http(s) URL; model is required", problem);
    }

    [Fact]
    public void Duplicate_names_load_neither_entry_and_say_why()
    {
        var catalog = TargetCatalog.Parse("""
            [ { "name": "dup", "baseUrl": "http://a", "model": "m" },
              { "name": "dup", "baseUrl": "http://b", "model": "m" },
              { "name": "solo", "baseUrl": "http://c", "model": "m" } ]
            """, "test");

        Assert.Equal(["solo"], catalog.Targets.Select(t => t.Name));
        var problem = Assert.Single(catalog.Problems);
        Assert.Contains("target 'dup': the name is used by 2 entries", problem);
        Assert.Contains("names must be unique", problem);
    }

    [Fact]
    public void Configuration_section_and_json_setting_both_load_with_the_same_rules()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Targets:0:name"] = "from-section",
            ["Targets:0:baseUrl"] = "https://llm.internal/",
            ["Targets:0:model"] = "m",
            ["Targets:0:limits:maxConcurrency"] = "8",
            ["Targets:0:adapters:0"] = "a1",
            ["Targets:1:name"] = "broken-section",
            ["Targets:1:baseUrl"] = "not a url",
            ["Targets:1:model"] = "m",
            ["WARMUP_TARGETS"] = """[ { "name": "from-setting", "baseUrl": "http://127.0.0.1:8000", "model": "m" } ]""",
        }).Build();

        var catalog = TargetCatalog.FromConfiguration(configuration, "WARMUP_TARGETS");

        Assert.Equal(["from-section", "from-setting"], catalog.Targets.Select(t => t.Name));
        Assert.Equal(8, catalog.Targets[0].Limits.MaxConcurrency);
        Assert.Equal(["a1"], catalog.Targets[0].Adapters);
        Assert.Equal(["target 'broken-section': baseUrl 'not a url' must be an absolute http(s) URL"], catalog.Problems);
    }

    [Fact]
    public void An_unreadable_setting_is_a_problem_not_a_crash()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WARMUP_TARGETS"] = "{ not json",
        }).Build();

        var catalog = TargetCatalog.FromConfiguration(configuration, "WARMUP_TARGETS");

        Assert.Empty(catalog.Targets);
        Assert.StartsWith("app setting WARMUP_TARGETS is not valid JSON", Assert.Single(catalog.Problems));
    }

    [Fact]
    public void LoadFile_reads_the_file_shape_and_refuses_unusable_files_clearly()
    {
        var dir = Directory.CreateTempSubdirectory("warmup-targets-").FullName;
        try
        {
            var good = Path.Combine(dir, "targets.json");
            File.WriteAllText(good, $$"""{ "targets": [ {{Good}} ] } // comments are fine""");
            Assert.Equal("llama-prod", Assert.Single(TargetCatalog.LoadFile(good).Targets).Name);

            var missing = Assert.Throws<TargetConfigurationException>(() => TargetCatalog.LoadFile(Path.Combine(dir, "nope.json")));
            Assert.Contains("was not found", missing.Message);

            var wrongShape = Path.Combine(dir, "shape.json");
            File.WriteAllText(wrongShape, """{ "endpoints": [] }""");
            var shape = Assert.Throws<TargetConfigurationException>(() => TargetCatalog.LoadFile(wrongShape));
            Assert.Contains("must be a JSON object with a \"targets\" array", shape.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("llama-prod", true)]
    [InlineData("a", true)]
    [InlineData("Llama", false)]
    [InlineData("http://169.254.169.254/", false)]
    [InlineData("", false)]
    [InlineData("a234567890123456789012345678901234567890123456789", false)]
    public void Names_are_what_instance_ids_allow(string name, bool valid) => Assert.Equal(valid, TargetCatalog.IsValidName(name));

    [Fact]
    public void Ready_deadline_is_capped_under_the_function_timeout()
    {
        var catalog = TargetCatalog.Parse("""
            [ { "name": "ok", "baseUrl": "http://a", "model": "m", "limits": { "readyDeadline": "00:25:00", "requestTimeout": "00:20:00", "maxConcurrency": 256 } },
              { "name": "long", "baseUrl": "http://a", "model": "m", "limits": { "readyDeadline": "01:00:00" } } ]
            """, "test");

        Assert.Equal(["ok"], catalog.Targets.Select(t => t.Name));
        Assert.Equal(["target 'long': limits.readyDeadline 01:00:00 must be positive and at most 00:25:00"], catalog.Problems);
        Assert.True(TargetLimits.MaxReadyDeadline < TimeSpan.FromMinutes(30), "the readiness activity must end before host.json functionTimeout");
    }

    [Theory]
    [InlineData("https://llm.example/v1?api-key=sk-secret-123", "secret", "'https://llm.example/v1' must not have a query")]
    [InlineData("https://llm.example/#sk-secret-123", "secret", "'https://llm.example/' must not have a query")]
    [InlineData("gopher://admin:sk-secret-123@llm.example/x?k=1", "secret", "'gopher://llm.example/x' must be an absolute http(s) URL")]
    [InlineData("not a url?key=sk-secret-123", "secret", "'not a url' must be an absolute http(s) URL")]
    [InlineData("https://user:sk-secret-123@llm.example/", "secret", "baseUrl must not carry credentials")]
    public void Base_url_problems_never_echo_a_query_or_user_info(string baseUrl, string secret, string expected)
    {
        var catalog = TargetCatalog.Parse($$"""[ { "name": "t", "baseUrl": "{{baseUrl}}", "model": "m" } ]""", "test");

        var problem = Assert.Single(catalog.Problems);
        Assert.Contains(expected, problem);
        Assert.DoesNotContain(secret, problem);
    }

    [Theory]
    [InlineData("sk-proj-abc123secret")]
    [InlineData("Bearer abc123secret")]
    [InlineData("c2VjcmV0LWtleS1iYXNlNjQ=")]
    [InlineData("a3f9c2d1e8b74f60a1b2c3d4e5f60718")]
    public void An_api_key_setting_that_looks_like_a_key_is_refused_without_echoing_it(string pasted)
    {
        var catalog = TargetCatalog.Parse($$"""[ { "name": "t", "baseUrl": "http://a", "model": "m", "auth": { "apiKeySetting": "{{pasted}}" } } ]""", "test");

        var problem = Assert.Single(catalog.Problems);
        Assert.Contains("auth.apiKeySetting does not look like a setting name (it may be the key itself; it is not printed)", problem);
        Assert.DoesNotContain(pasted, problem);
        Assert.DoesNotContain("secret", problem);
    }

    [Theory]
    [InlineData("LLAMA_PROD_API_KEY", true)]
    [InlineData("Targets:0:Key", true)]
    [InlineData("KEY", true)]
    [InlineData("sk-abc", false)]
    [InlineData("abc def", false)]
    [InlineData("a3f9c2d1e8b74f60a1b2c3d4e5f60718", false)]
    public void Setting_names_are_told_from_keys(string value, bool looksLikeName) =>
        Assert.Equal(looksLikeName, TargetCatalog.LooksLikeSettingName(value));
}
