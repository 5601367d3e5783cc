using System.Net;
using System.Net.Sockets;
using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Cli.Targets;

/// <summary>What `warmup run --endpoint ...` says about an ad-hoc target.</summary>
internal sealed record EndpointTargetOptions(
    string Endpoint,
    string Dialect,
    string Model,
    string Api,
    IReadOnlyList<string> Adapters,
    string? ApiKeyEnv,
    int MaxConcurrency,
    TimeSpan ReadyTimeout,
    TimeSpan RequestTimeout,
    string? Deployment = null)
{
    public const string AdHocTargetName = "endpoint";

    /// <summary>Builds and checks the target; every problem is a <see cref="UsageException"/> with one clear line.</summary>
    public async Task<WarmupTarget> ToTargetAsync(CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(url.Host))
        {
            throw new UsageException($"--endpoint '{Endpoint}' is not an absolute http(s) URL (example: http://127.0.0.1:8000)");
        }

        if (!DialectRegistry.Default.IsKnown(Dialect))
        {
            throw new UsageException($"--dialect '{Dialect}' is unknown; known dialects: {string.Join(", ", DialectRegistry.Default.Names)}");
        }

        if (Api is not (OpenAiApis.Completions or OpenAiApis.Chat))
        {
            throw new UsageException($"--api '{Api}' must be '{OpenAiApis.Completions}' or '{OpenAiApis.Chat}'");
        }

        CheckAzureMl();

        if (string.IsNullOrWhiteSpace(Model))
        {
            throw new UsageException("--model is required with --endpoint (the served model name, e.g. meta-llama/Llama-3.1-8B-Instruct)");
        }

        // The same ceilings as a targets file, so an endpoint accepted here is accepted there.
        if (MaxConcurrency is < 1 or > TargetLimits.MaxConcurrencyCeiling)
        {
            throw new UsageException($"--max-concurrency must be between 1 and {TargetLimits.MaxConcurrencyCeiling}, got {MaxConcurrency}");
        }

        if (ReadyTimeout > TargetLimits.MaxReadyDeadline)
        {
            throw new UsageException($"--ready-timeout must be at most {TargetLimits.MaxReadyDeadline.TotalSeconds:0} seconds, got {ReadyTimeout.TotalSeconds:0}");
        }

        if (RequestTimeout > TargetLimits.MaxRequestTimeout)
        {
            throw new UsageException($"--request-timeout must be at most {TargetLimits.MaxRequestTimeout.TotalSeconds:0} seconds, got {RequestTimeout.TotalSeconds:0}");
        }

        if (ApiKeyEnv is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ApiKeyEnv)))
        {
            throw new UsageException($"--api-key-env names '{ApiKeyEnv}', but that environment variable is not set");
        }

        await EnsureResolvableAsync(url, cancellationToken);
        url = ServerRoot(url);

        return new WarmupTarget
        {
            Name = AdHocTargetName,
            BaseUrl = url,
            Dialect = Dialect,
            Model = Model,
            Api = Api,
            Adapters = Adapters,
            Auth = new TargetAuth { ApiKeySetting = ApiKeyEnv, AzureMlDeployment = Deployment },
            Limits = new TargetLimits
            {
                MaxConcurrency = MaxConcurrency,
                ReadyDeadline = ReadyTimeout,
                RequestTimeout = RequestTimeout,
            },
        };
    }

    /// <summary>
    /// Azure ML scoring URIs always need credentials; the CLI sends the endpoint key (the Functions app can also use its
    /// managed identity). A deployment name only means something to Azure ML.
    /// </summary>
    private void CheckAzureMl()
    {
        var azureMl = string.Equals(Dialect.Trim(), DialectNames.AzureMl, StringComparison.OrdinalIgnoreCase);
        if (azureMl && ApiKeyEnv is null)
        {
            throw new UsageException(
                "--dialect azureml needs the endpoint key: --api-key-env VAR, with VAR holding `az ml online-endpoint get-credentials -n <endpoint> --query primaryKey`");
        }

        if (Deployment is not null && !azureMl)
        {
            throw new UsageException($"--deployment applies to --dialect azureml only (it is sent as the azureml-model-deployment header), not to '{Dialect}'");
        }

        if (Deployment is not null && !TargetDeployment.IsValidDeployment(Deployment))
        {
            throw new UsageException($"--deployment '{Deployment}' is not an Azure ML deployment name (letters, digits and '-', at most 32)");
        }
    }

    /// <summary>
    /// Most OpenAI clients take a base URL ending in /v1; Warmup wants the server root (it also calls /health,
    /// /tokenize and /metrics beside /v1). A trailing /v1 is dropped, and <see cref="DroppedV1"/> says so.
    /// </summary>
    internal static Uri ServerRoot(Uri url)
    {
        var path = url.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            return url;
        }

        return new UriBuilder(url) { Path = path[..^3] + "/" }.Uri;
    }

    /// <summary>The note to print when <see cref="ServerRoot"/> changed the URL the user gave, or null.</summary>
    public string? DroppedV1(WarmupTarget target) =>
        Uri.TryCreate(Endpoint, UriKind.Absolute, out var given) && given != target.BaseUrl
            ? $"note: --endpoint ends in /v1; using the server root {target.BaseUrl} (Warmup adds /v1/... itself)"
            : null;

    /// <summary>
    /// A host name that does not resolve is a typo, not a server that is still loading: say so at once instead of
    /// polling readiness until the deadline.
    /// </summary>
    internal static async Task EnsureResolvableAsync(Uri url, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out _))
        {
            return;
        }

        try
        {
            var addresses = await Dns.GetHostAddressesAsync(url.IdnHost, cancellationToken);
            if (addresses.Length == 0)
            {
                throw new UsageException($"cannot resolve host '{url.Host}' of {url}");
            }
        }
        catch (SocketException)
        {
            throw new UsageException($"cannot resolve host '{url.Host}' of {url}: the host is unknown or unreachable");
        }
    }
}
