using Warmup.Core.Dialects;

namespace Warmup.Core.Tests.Dialects;

public sealed class DialectRegistryTests
{
    [Theory]
    [InlineData("openai", DialectNames.OpenAi)]
    [InlineData("OpenAI", DialectNames.OpenAi)]
    [InlineData("vllm-generate", DialectNames.VllmGenerate)]
    [InlineData("tgi", DialectNames.Tgi)]
    [InlineData("sglang", DialectNames.Sglang)]
    [InlineData("LlamaCpp", DialectNames.LlamaCpp)]
    [InlineData("ollama", DialectNames.Ollama)]
    [InlineData("triton", DialectNames.Triton)]
    [InlineData("azureml", DialectNames.AzureMl)]
    public void Known_dialects_are_found_by_name(string name, string expected)
    {
        Assert.Equal(expected, DialectRegistry.Default.Get(name).Name);
        Assert.True(DialectRegistry.Default.TryGet(name, out _));
    }

    [Fact]
    public void Names_lists_every_dialect()
    {
        Assert.Equal(
            [DialectNames.Auto, DialectNames.AzureMl, DialectNames.LlamaCpp, DialectNames.Ollama, DialectNames.OpenAi,
             DialectNames.Sglang, DialectNames.Tgi, DialectNames.Triton, DialectNames.VllmGenerate],
            DialectRegistry.Default.Names);
        Assert.True(DialectRegistry.Default.IsKnown("auto"));
    }

    [Fact]
    public void Auto_is_known_but_resolved_per_target_not_looked_up()
    {
        var error = Assert.Throws<ArgumentException>(() => DialectRegistry.Default.Get(DialectNames.Auto));

        Assert.Contains("detected from the server", error.Message);
    }

    [Theory]
    [InlineData("vllm-native")]
    [InlineData("")]
    public void Unknown_dialect_is_one_clear_error_listing_the_known_ones(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => DialectRegistry.Default.Get(name));

        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains("auto, azureml, llamacpp, ollama, openai, sglang, tgi, triton, vllm-generate", error.Message);
        Assert.False(DialectRegistry.Default.TryGet(name, out _));
    }

    [Fact]
    public void Registering_a_name_twice_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new DialectRegistry(new Warmup.Core.Dialects.OpenAi.OpenAiDialect(), new Warmup.Core.Dialects.OpenAi.OpenAiDialect()));
    }
}
