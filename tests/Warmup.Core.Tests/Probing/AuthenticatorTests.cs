using Warmup.Core.Probing;
using Warmup.Core.Targets;
using Warmup.Core.Tests.TestSupport;

namespace Warmup.Core.Tests.Probing;

public sealed class AuthenticatorTests
{
    [Fact]
    public async Task Api_key_from_the_named_variable_becomes_a_bearer_token()
    {
        var target = TestTargets.Local() with { Auth = new TargetAuth { ApiKeySetting = "VLLM_KEY" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:8000/v1/completions");

        await new EnvironmentApiKeyAuthenticator(name => name == "VLLM_KEY" ? "sk-local" : null).AuthenticateAsync(target, request, CancellationToken.None);

        Assert.Equal("Bearer", request.Headers.Authorization!.Scheme);
        Assert.Equal("sk-local", request.Headers.Authorization.Parameter);
    }

    [Fact]
    public async Task Missing_variable_is_a_clear_error_naming_the_variable()
    {
        var target = TestTargets.Local() with { Auth = new TargetAuth { ApiKeySetting = "VLLM_KEY" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:8000/v1/completions");

        var error = await Assert.ThrowsAsync<CredentialsUnavailableException>(async () =>
            await new EnvironmentApiKeyAuthenticator(_ => null).AuthenticateAsync(target, request, CancellationToken.None));

        Assert.Contains("'VLLM_KEY'", error.Message);
        Assert.Contains(target.Name, error.Message);
        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public async Task Targets_without_a_key_setting_and_no_authentication_add_nothing()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:8000/v1/completions");

        await new EnvironmentApiKeyAuthenticator(_ => throw new InvalidOperationException("must not be read")).AuthenticateAsync(TestTargets.Local(), request, CancellationToken.None);
        await NoAuthentication.Instance.AuthenticateAsync(TestTargets.Local(), request, CancellationToken.None);

        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public async Task No_authentication_refuses_a_target_that_asks_for_credentials()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1:8000/v1/completions");
        var target = TestTargets.Local() with { Auth = new TargetAuth { ApiKeySetting = "VLLM_KEY" } };

        var error = await Assert.ThrowsAsync<CredentialsUnavailableException>(() => NoAuthentication.Instance.AuthenticateAsync(target, request, CancellationToken.None).AsTask());

        Assert.Contains("needs credentials", error.Message);
        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public async Task Default_reader_is_the_process_environment()
    {
        var variable = "WARMUP_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            var target = TestTargets.Local() with { Auth = new TargetAuth { ApiKeySetting = variable } };
            using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");

            await new EnvironmentApiKeyAuthenticator().AuthenticateAsync(target, request, CancellationToken.None);

            Assert.Equal("from-env", request.Headers.Authorization!.Parameter);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
