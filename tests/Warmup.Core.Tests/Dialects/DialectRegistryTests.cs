using Warmup.Core.Dialects;

namespace Warmup.Core.Tests.Dialects;

public sealed class DialectRegistryTests
{
    [Theory]
    [InlineData("openai", DialectNames.OpenAi)]
    [InlineData("OpenAI", DialectNames.OpenAi)]
    [InlineData("vllm-generate", DialectNames.VllmGenerate)]
    public void Known_dialects_are_found_by_name(string name, string expected)
    {
        Assert.Equal(expected, DialectRegistry.Default.Get(name).Name);
        Assert.True(DialectRegistry.Default.TryGet(name, out _));
    }

    [Fact]
    public void Names_lists_every_dialect()
    {
        Assert.Equal([DialectNames.OpenAi, DialectNames.VllmGenerate], DialectRegistry.Default.Names);
    }

    [Theory]
    [InlineData("tgi")]
    [InlineData("")]
    public void Unknown_dialect_is_one_clear_error_listing_the_known_ones(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => DialectRegistry.Default.Get(name));

        Assert.Contains($"'{name}'", error.Message);
        Assert.Contains("openai, vllm-generate", error.Message);
        Assert.False(DialectRegistry.Default.TryGet(name, out _));
    }

    [Fact]
    public void Registering_a_name_twice_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new DialectRegistry(new Warmup.Core.Dialects.OpenAi.OpenAiDialect(), new Warmup.Core.Dialects.OpenAi.OpenAiDialect()));
    }
}
