using Warmup.Core.Dialects.Wire;

namespace Warmup.Core.Tests.Dialects.Native;

public sealed class PayloadTemplateTests
{
    [Theory]
    [InlineData("""{"p":"{{prompt}}","n":"{{max_tokens}}"}""", null)]
    [InlineData("""{"p":"{{prompt}}"}""", "must use \"{{max_tokens}}\"")]
    [InlineData("""{"n":"{{max_tokens}}"}""", "exactly \"{{prompt}}\"")]
    [InlineData("""{"p":"say {{prompt}}","n":"{{max_tokens}}"}""", "only as a whole value")]
    [InlineData("""["{{prompt}}"]""", "must be a JSON object")]
    [InlineData("""{"p":""", "is not valid JSON")]
    public void Validate_names_what_is_wrong(string template, string? problem)
    {
        var found = PayloadTemplate.Validate(template);

        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found);
        }
    }

    [Fact]
    public async Task Render_escapes_the_prompt_and_puts_the_length_inside_strings_too()
    {
        using var content = PayloadTemplate.Render("""{"a":"{{prompt}}","b":"{\"max\":{{max_tokens}}}","c":["{{max_tokens}}"],"m":"{{model}}"}""", "say \"hi\"\n", 12, "llama");

        Assert.Equal("""{"a":"say \u0022hi\u0022\n","b":"{\u0022max\u0022:12}","c":[12],"m":"llama"}""", await content.ReadAsStringAsync());
    }
}
