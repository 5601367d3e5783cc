using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Dialects.Wire;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.AzureMl;

/// <summary>
/// Azure Machine Learning managed online endpoints. Every request carries <c>azureml-model-deployment</c>, so it reaches
/// the named deployment whatever the traffic split (a new deployment at 0 % traffic is warmed before users reach it).
/// The payload is per target: OpenAI chat/completions for vLLM-based deployments (streamed through, parsed like the
/// openai dialect), or a JSON template posted to <c>/score</c>. A scoring script does not stream: the answer arrives at
/// once, so its "TTFT" is the end-to-end latency and the plan notes say so. The front end's own status codes (404 unknown
/// deployment, 408 request_timeout_ms, 429 max_concurrent_requests_per_instance, 424 container error) are explained.
/// </summary>
public sealed class AzureMlDialect : IDialect, IServerCapacity, IHttpErrorExplainer
{
    public const string DeploymentHeader = "azureml-model-deployment";

    /// <summary>Azure ML's request_settings.max_concurrent_requests_per_instance when the deployment does not set it.</summary>
    public const int DefaultMaxConcurrentRequestsPerInstance = 1;

    private static readonly OpenAiDialect OpenAi = new();

    public string Name => DialectNames.AzureMl;

    /// <summary>True for vLLM-based deployments (ignore_eos + min_tokens through the OpenAI payload).</summary>
    public bool ForcesOutputLength => true;

    public HttpRequestMessage CreateGenerationRequest(WarmupTarget target, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        var message = IsTemplate(target)
            ? new HttpRequestMessage(HttpMethod.Post, EndpointUri.Combine(target.BaseUrl, "score"))
            {
                Content = PayloadTemplate.Render(
                    target.RequestTemplate ?? throw new ArgumentException($"Target '{target.Name}' has api 'template' but no requestTemplate.", nameof(target)),
                    request.Prompt, request.MaxOutputTokens, request.Adapter ?? target.Model),
            }
            : OpenAi.CreateGenerationRequest(target, request);
        AddDeployment(target, message);
        return message;
    }

    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) =>
        OpenAi.ReadEventsAsync(body, cancellationToken);

    /// <summary>
    /// The body tells the shape: an OpenAI deployment streams SSE (starts with "data:"), a scoring script answers one JSON
    /// document, whose arrival is the only timestamp there is.
    /// </summary>
    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, GenerationRequest request, CancellationToken cancellationToken) =>
        ReadAnyAsync(body, cancellationToken);

    /// <summary>
    /// GET /health with the deployment header: a BYOC vLLM container gets it as its own /health; the Azure ML inference
    /// server answers its liveness route. The front end answers 404 for a deployment the endpoint does not have.
    /// </summary>
    public HttpRequestMessage CreateReadinessRequest(WarmupTarget target)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, EndpointUri.Combine(target.BaseUrl, IsTemplate(target) ? "" : "health"));
        AddDeployment(target, request);
        return request;
    }

    public bool IsReady(HttpResponseMessage response) => (int)response.StatusCode == 200;

    public Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken) =>
        Task.FromResult<int?>(null);

    public Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        Task.FromResult<int?>(null);

    /// <summary>The scoring URI exposes no metrics; Azure Monitor has them, outside Warmup's reach.</summary>
    public Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        Task.FromResult<ServerLoad?>(null);

    /// <summary>
    /// The front end admits about 2 × max_concurrent_requests_per_instance × instance_count, but only
    /// max_concurrent_requests_per_instance × instance_count run; the rest wait, so the plan stops there.
    /// </summary>
    public Task<ServerCapacity?> GetCapacityAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        // Unset on the target means Azure ML's own default, 1 per instance: going past it would only queue or get 429.
        var perInstance = target.AzureMl.MaxConcurrentRequestsPerInstance ?? DefaultMaxConcurrentRequestsPerInstance;
        var instances = target.AzureMl.InstanceCount ?? 1;
        var cap = perInstance * instances;
        var source = target.AzureMl.MaxConcurrentRequestsPerInstance is null
            ? "Azure ML's default max_concurrent_requests_per_instance; set azureMl.maxConcurrentRequestsPerInstance if the deployment allows more"
            : "max_concurrent_requests_per_instance";
        notes.Add(string.Create(CultureInfo.InvariantCulture,
            $"Azure ML deployment runs {perInstance} request(s) per instance × {instances} instance(s) ({source}); concurrency is capped at {cap}, more would queue or get HTTP 429"));

        if (target.AzureMl.RequestTimeoutMs is { } timeout)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"Azure ML cuts requests after request_timeout_ms {timeout} ms with HTTP 408; a cold first request can exceed it"));
        }

        if (IsTemplate(target))
        {
            notes.Add("the scoring route does not stream: TTFT is the end-to-end latency of the whole answer, so the run is judged on end-to-end latency");
        }

        return Task.FromResult<ServerCapacity?>(new ServerCapacity(cap, string.Join("; ", notes)));
    }

    public string? Explain(WarmupTarget target, int status) => status switch
    {
        404 => $"Azure ML: the endpoint has no deployment named '{target.Auth.AzureMlDeployment ?? "(none: traffic split)"}' " +
               "(sent as azureml-model-deployment), or no deployment has traffic; check `az ml online-deployment list`",
        408 => $"Azure ML: the request ran longer than the deployment's request_timeout_ms " +
               $"({(target.AzureMl.RequestTimeoutMs is { } ms ? ms.ToString(CultureInfo.InvariantCulture) : "default 5000")} ms); " +
               "a cold first request often does: raise request_settings.request_timeout_ms",
        429 => "Azure ML: more requests than the deployment admits (2 × max_concurrent_requests_per_instance × instances, default 1 per " +
               "instance); set azureMl.maxConcurrentRequestsPerInstance on the target so the plan stays within it",
        424 => "Azure ML: the container answered an error (see the ms-azureml-model-error-statuscode header)",
        401 => "Azure ML: the key or token was refused (keys from get-credentials; tokens need the https://ml.azure.com audience)",
        _ => null,
    };

    private static void AddDeployment(WarmupTarget target, HttpRequestMessage request)
    {
        if (target.Auth.AzureMlDeployment is { } deployment)
        {
            request.Headers.Remove(DeploymentHeader);
            request.Headers.TryAddWithoutValidation(DeploymentHeader, deployment);
        }
    }

    private static bool IsTemplate(WarmupTarget target) => target.Api == OpenAiApis.Template;

    private static async IAsyncEnumerable<StreamEvent> ReadAnyAsync(Stream body, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var first = new byte[1];
        if (await body.ReadAsync(first, cancellationToken).ConfigureAwait(false) == 0)
        {
            yield break;
        }

        await using var whole = new PrefixedStream(first, body);
        if (first[0] is (byte)'d' or (byte)':')
        {
            await foreach (var item in OpenAi.ReadEventsAsync(whole, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }

            yield break;
        }

        using var copy = new MemoryStream();
        await whole.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        yield return ScoringAnswer.Parse(copy.ToArray());
        yield return new StreamEvent(StreamEventKind.Done);
    }
}
