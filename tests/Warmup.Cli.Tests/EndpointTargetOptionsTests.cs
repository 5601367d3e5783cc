using Warmup.Cli.Targets;

namespace Warmup.Cli.Tests;

public sealed class EndpointTargetOptionsTests
{
    [Theory]
    [InlineData("http://127.0.0.1:8000/v1", "http://127.0.0.1:8000/")]
    [InlineData("http://127.0.0.1:8000/v1/", "http://127.0.0.1:8000/")]
    [InlineData("https://gateway.example/llama/V1", "https://gateway.example/llama/")]
    [InlineData("http://127.0.0.1:8000", "http://127.0.0.1:8000/")]
    [InlineData("http://127.0.0.1:8000/v1beta", "http://127.0.0.1:8000/v1beta")]
    public void A_trailing_v1_is_dropped_and_any_gateway_prefix_kept(string given, string root)
    {
        Assert.Equal(new Uri(root), EndpointTargetOptions.ServerRoot(new Uri(given)));
    }
}
