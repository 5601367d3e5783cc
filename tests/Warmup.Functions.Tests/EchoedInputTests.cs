namespace Warmup.Functions.Tests;

public sealed class EchoedInputTests
{
    [Fact]
    public void Long_input_is_cut_to_the_limit_and_short_input_is_kept()
    {
        Assert.Equal("llama", EchoedInput.Truncate("llama"));
        Assert.Equal(new string('x', EchoedInput.MaxLength), EchoedInput.Truncate(new string('x', EchoedInput.MaxLength)));
        Assert.Equal(new string('x', EchoedInput.MaxLength) + "...", EchoedInput.Truncate(new string('x', 500)));
    }
}
