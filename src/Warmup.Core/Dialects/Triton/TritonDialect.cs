using System.Net.Http.Headers;
using System.Text.Json;
using Warmup.Core.Dialects.Wire;
using Warmup.Core.Probing;
using Warmup.Core.Targets;

namespace Warmup.Core.Dialects.Triton;

/// <summary>
/// Triton Inference Server's generate extension, <c>POST /v2/models/{model}/generate_stream</c>. Every top-level field
/// is an input tensor of the model, and backends name them differently, so the body is the target's
/// <c>requestTemplate</c> (default: the vLLM backend's fields, which force the exact length). Events carry delta
/// <c>text_output</c> and, when asked, <c>num_output_tokens</c> for that response; there is no end marker: the stream
/// ends with the body. Readiness is <c>/v2/models/{model}/ready</c> (400 until loaded). Metrics live on their own port
/// (8002): the target's <c>metricsUrl</c>.
/// </summary>
public sealed class TritonDialect : IDialect
{
    /// <summary>The vLLM backend's inputs (triton-inference-server/vllm_backend): sampling parameters are a JSON string tensor.</summary>
    public const string DefaultTemplate =
        "{\"text_input\":\"{{prompt}}\",\"stream\":true,\"exclude_input_in_output\":true,\"return_num_output_tokens\":true," +
        "\"sampling_parameters\":\"{\\\"max_tokens\\\":{{max_tokens}},\\\"min_tokens\\\":{{max_tokens}},\\\"ignore_eos\\\":true,\\\"temperature\\\":0}\"}";

    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    public string Name => DialectNames.Triton;

    /// <summary>True for the default template; a custom template decides for itself.</summary>
    public bool ForcesOutputLength => true;

    public HttpRequestMessage CreateGenerationRequest(WarmupTarget target, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxOutputTokens, 1, nameof(request));
        var model = request.Adapter ?? target.Model;
        var message = new HttpRequestMessage(HttpMethod.Post, ModelUri(target, model, "generate_stream"))
        {
            Content = PayloadTemplate.Render(target.RequestTemplate ?? DefaultTemplate, request.Prompt, request.MaxOutputTokens, model),
        };
        message.Headers.Accept.Add(EventStream);
        return message;
    }

    public IAsyncEnumerable<StreamEvent> ReadEventsAsync(Stream body, CancellationToken cancellationToken) =>
        SseEvents.ReadAsync(body, new OutputCounter().Parse, StreamEnd.EndOfBody, cancellationToken);

    public HttpRequestMessage CreateReadinessRequest(WarmupTarget target) => new(HttpMethod.Get, ModelUri(target, target.Model, "ready"));

    /// <summary>200 ready; 400 {"error":"Model version not ready"} while loading.</summary>
    public bool IsReady(HttpResponseMessage response) => (int)response.StatusCode == 200;

    public Task<int?> CountTokensAsync(HttpClient http, WarmupTarget target, string text, CancellationToken cancellationToken) =>
        Task.FromResult<int?>(null);

    /// <summary>The generate extension does not report a context window.</summary>
    public Task<int?> GetMaxContextAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        Task.FromResult<int?>(null);

    public Task<ServerLoad?> GetLoadAsync(HttpClient http, WarmupTarget target, CancellationToken cancellationToken) =>
        MetricsScrape.GetLoadAsync(http, target, cancellationToken);

    private static Uri ModelUri(WarmupTarget target, string model, string action) =>
        EndpointUri.Combine(target.BaseUrl, $"v2/models/{Uri.EscapeDataString(model)}/{action}");

    /// <summary>Per stream: <c>num_output_tokens</c> is per response, so the running total is their sum.</summary>
    internal sealed class OutputCounter
    {
        private int _outputTokens;
        private bool _counted;

        public ParsedEvent Parse(ReadOnlySpan<byte> data) => JsonObjectEvent.Parse(data, Count);

        private ParsedEvent Count(JsonElement root)
        {
            var count = JsonBody.Int(root, "num_output_tokens");
            var text = JsonBody.String(root, "text_output");
            if (count is { } n)
            {
                _outputTokens += n;
                _counted = true;
            }

            if (string.IsNullOrEmpty(text) && count is null or 0)
            {
                return new StreamEvent(StreamEventKind.NoContent);
            }

            return new StreamEvent(StreamEventKind.Token, Math.Max(count ?? 1, 1), CompletionTokens: _counted ? _outputTokens : null);
        }
    }
}
