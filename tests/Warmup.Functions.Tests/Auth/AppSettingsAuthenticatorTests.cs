using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Warmup.Core.Targets;
using Warmup.Functions.Auth;
using Warmup.Functions.Tests.Support;

namespace Warmup.Functions.Tests.Auth;

public sealed class AppSettingsAuthenticatorTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly CountingCredential _credential;
    private readonly AppSettingsAuthenticator _authenticator;

    public AppSettingsAuthenticatorTests()
    {
        _credential = new CountingCredential(_time);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LLAMA_KEY"] = "sk-123",
            ["UNRESOLVED_KEY"] = "@Microsoft.KeyVault(VaultName=kv-warmup;SecretName=llama-api-key)",
        }).Build();
        _authenticator = new AppSettingsAuthenticator(configuration, _credential, _time);
    }

    private static HttpRequestMessage Request() => new(HttpMethod.Post, "http://127.0.0.1:8000/v1/completions");

    [Fact]
    public async Task Api_key_comes_from_the_named_setting_with_the_azure_ml_deployment_header()
    {
        var target = TestTargets.Target("llama") with { Auth = new TargetAuth { ApiKeySetting = "LLAMA_KEY", AzureMlDeployment = "blue" } };
        using var request = Request();

        await _authenticator.AuthenticateAsync(target, request, CancellationToken.None);

        Assert.Equal("Bearer sk-123", request.Headers.Authorization!.ToString());
        Assert.Equal("blue", request.Headers.GetValues(AppSettingsAuthenticator.AzureMlDeploymentHeader).Single());
    }

    [Fact]
    public async Task Missing_key_setting_fails_clearly_without_leaking_anything()
    {
        var target = TestTargets.Target("llama") with { Auth = new TargetAuth { ApiKeySetting = "MISSING_KEY" } };
        using var request = Request();

        var ex = await Assert.ThrowsAsync<CredentialsUnavailableException>(() => _authenticator.AuthenticateAsync(target, request, CancellationToken.None).AsTask());

        Assert.Equal("target 'llama': app setting 'MISSING_KEY' named by auth.apiKeySetting is not set", ex.Message);
    }

    [Fact]
    public async Task A_key_pasted_as_the_setting_name_is_not_printed()
    {
        // A target built in code skips the catalog's check; the message must still not carry the key.
        var target = TestTargets.Target("llama") with { Auth = new TargetAuth { ApiKeySetting = "sk-pasted-secret-123" } };
        using var request = Request();

        var ex = await Assert.ThrowsAsync<CredentialsUnavailableException>(() => _authenticator.AuthenticateAsync(target, request, CancellationToken.None).AsTask());

        Assert.DoesNotContain("secret", ex.Message);
        Assert.Contains("not printed", ex.Message);
    }

    [Fact]
    public async Task Unresolved_key_vault_reference_is_named_instead_of_sent_as_a_key()
    {
        var target = TestTargets.Target("llama") with { Auth = new TargetAuth { ApiKeySetting = "UNRESOLVED_KEY" } };
        using var request = Request();

        var ex = await Assert.ThrowsAsync<CredentialsUnavailableException>(() => _authenticator.AuthenticateAsync(target, request, CancellationToken.None).AsTask());

        Assert.Contains("'UNRESOLVED_KEY' is a Key Vault reference the platform could not resolve", ex.Message);
        Assert.Null(request.Headers.Authorization);
    }

    [Fact]
    public async Task Entra_tokens_are_cached_until_near_expiry()
    {
        var target = TestTargets.Target("aml") with { Auth = new TargetAuth { EntraScope = "https://ml.azure.com/.default" } };

        for (var i = 0; i < 3; i++)
        {
            using var request = Request();
            await _authenticator.AuthenticateAsync(target, request, CancellationToken.None);
            Assert.Equal("Bearer token-1", request.Headers.Authorization!.ToString());
        }
        _time.Advance(TimeSpan.FromMinutes(56));   // token lives 60 min; refreshed 5 min before expiry
        using var later = Request();
        await _authenticator.AuthenticateAsync(target, later, CancellationToken.None);

        Assert.Equal("Bearer token-2", later.Headers.Authorization!.ToString());
        Assert.Equal(2, _credential.Calls);
        Assert.Equal(["https://ml.azure.com/.default"], _credential.Scopes.Distinct());
    }

    [Fact]
    public async Task Target_without_auth_gets_no_credentials()
    {
        using var request = Request();

        await _authenticator.AuthenticateAsync(TestTargets.Target("open"), request, CancellationToken.None);

        Assert.Null(request.Headers.Authorization);
        Assert.Equal(0, _credential.Calls);
    }

    private sealed class CountingCredential(TimeProvider time) : TokenCredential
    {
        public int Calls { get; private set; }
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Calls++;
            Scopes.AddRange(requestContext.Scopes);
            return ValueTask.FromResult(new AccessToken($"token-{Calls}", time.GetUtcNow().AddMinutes(60)));
        }
    }
}
