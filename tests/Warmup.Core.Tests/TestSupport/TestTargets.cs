using Warmup.Core.Targets;

namespace Warmup.Core.Tests.TestSupport;

public static class TestTargets
{
    public static WarmupTarget At(Uri baseUrl, string api = OpenAiApis.Completions, TimeSpan? requestTimeout = null, string dialect = "openai") => new()
    {
        Name = "test-" + Guid.NewGuid().ToString("N")[..8],
        BaseUrl = baseUrl,
        Model = "meta-llama/Llama-3.1-8B-Instruct",
        Api = api,
        Dialect = dialect,
        Limits = new TargetLimits { RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(30) },
    };

    public static WarmupTarget Local(string api = OpenAiApis.Completions) => At(new Uri("http://127.0.0.1:8000/"), api);
}
