using Warmup.Core.Planning;

namespace Warmup.Core.Tests.Planning;

public sealed class PlanFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("warmup-plan-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_folder, "plan.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Loads_a_plan_file()
    {
        var path = Write("""
            {
              "name": "chat-shapes",
              "steps": [
                { "promptTokens": 512, "maxOutputTokens": 16, "concurrency": 4, "adapter": null },
                { "promptTokens": 64, "maxOutputTokens": 8, "concurrency": 1, "adapter": "sql" }
              ]
            }
            """);

        var spec = PlanFile.Load(path);

        Assert.Equal("chat-shapes", spec.Preset);
        Assert.Equal([new PlanStep(512, 16, 4), new PlanStep(64, 8, 1, "sql")], spec.Steps!);
    }

    [Fact]
    public void Bad_json_names_the_line_and_position()
    {
        var path = Write("{\n  \"name\": \"x\",\n  \"steps\": [ { \"promptTokens\": 12, } ,, ]\n}");

        var e = Assert.Throws<PlanValidationException>(() => PlanFile.Load(path));

        Assert.StartsWith($"{path}: invalid plan JSON at line 3, position ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_concurrency_names_the_step()
    {
        var path = Write("""
            { "name": "x", "steps": [
              { "promptTokens": 64, "maxOutputTokens": 8, "concurrency": 1 },
              { "promptTokens": 64, "maxOutputTokens": 8, "concurrency": -4 } ] }
            """);

        var e = Assert.Throws<PlanValidationException>(() => PlanFile.Load(path));

        Assert.Equal($"{path}: step 2: concurrency must be ≥ 1, got -4", e.Message);
    }

    [Fact]
    public void Missing_fields_are_named()
    {
        var e = Assert.Throws<PlanValidationException>(
            () => PlanFile.Parse("""{ "name": "x", "steps": [ { "promptTokens": 64 } ] }""", "p.json"));

        Assert.Equal("p.json: step 1: maxOutputTokens, concurrency are required", e.Message);
    }

    [Fact]
    public void A_wrongly_typed_value_is_a_json_error_with_its_position()
    {
        var e = Assert.Throws<PlanValidationException>(
            () => PlanFile.Parse("""{ "name": "x", "steps": [ { "promptTokens": "many", "maxOutputTokens": 8, "concurrency": 1 } ] }""", "p.json"));

        Assert.StartsWith("p.json: invalid plan JSON at line 1, position ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_are_rejected_so_typos_do_not_pass_silently()
    {
        var e = Assert.Throws<PlanValidationException>(
            () => PlanFile.Parse("""{ "name": "x", "steps": [ { "promptTokens": 64, "maxOutputTokens": 8, "concurency": 2 } ] }""", "p.json"));

        Assert.Contains("concurency", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_one_clear_error()
    {
        var e = Assert.Throws<PlanValidationException>(() => PlanFile.Load(Path.Combine(_folder, "nope.json")));

        Assert.Contains("cannot read the plan file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_of_a_written_plan_are_named_per_step()
    {
        var e = Assert.Throws<PlanValidationException>(() => PlanFile.Parse(
            """{ "name": "x", "steps": [ { "promptTokens": 2000000, "maxOutputTokens": 40000, "concurrency": 1 } ] }""", "p.json"));

        Assert.Equal(
            [$"p.json: step 1: promptTokens must be at most {PlanFile.MaxPromptTokens}, got 2000000",
             $"p.json: step 1: maxOutputTokens must be at most {PlanFile.MaxOutputTokens}, got 40000"],
            e.Problems);
    }

    [Fact]
    public void Too_many_steps_or_a_long_name_are_refused()
    {
        var steps = string.Join(",", Enumerable.Repeat("""{ "promptTokens": 8, "maxOutputTokens": 8, "concurrency": 1 }""", PlanFile.MaxSteps + 1));
        var name = new string('n', PlanFile.MaxNameLength + 1);

        var e = Assert.Throws<PlanValidationException>(() => PlanFile.Parse($$"""{ "name": "{{name}}", "steps": [ {{steps}} ] }""", "p.json"));

        Assert.Equal([$"p.json: \"name\" is required (1 to {PlanFile.MaxNameLength} characters)", $"p.json: \"steps\" must list 1 to {PlanFile.MaxSteps} steps"], e.Problems);
    }

    [Fact]
    public void An_unknown_field_is_named_without_the_serializer_type()
    {
        var e = Assert.Throws<PlanValidationException>(
            () => PlanFile.Parse("""{ "name": "x", "baseUrl": "http://evil", "steps": [] }""", "plan"));

        Assert.Contains("unknown field 'baseUrl'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PlanFile", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("full", PlanPresets.Full)]
    [InlineData(" Light ", PlanPresets.Light)]
    [InlineData("SEED", PlanPresets.Seed)]
    [InlineData("turbo", null)]
    [InlineData("", null)]
    public void Preset_names_are_found_in_the_one_list(string given, string? expected)
    {
        Assert.Equal(expected, PlanPresets.Find(given));
    }
}
