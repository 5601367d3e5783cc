using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Targets;

namespace Warmup.Core.Probing;

/// <summary>
/// Warms the warmer before it measures anything. The first request of a process pays the client's own start-up
/// (JIT of the HTTP stack, the SSE parser, the JSON reader and writer, the probe's timeline, the first wait for a
/// chunk, the stall meter's thread), from a few to over 100 ms that a server-side stamp does not show, which would
/// make the first measured TTFT of every run look like a cold path. So once per process, before the first measured
/// request, the probe's whole path runs against a tiny loopback server on this machine that answers with a paced
/// OpenAI-style stream (<see cref="Rounds"/> times per route, so the code that runs once per request is past its first
/// call too). Nothing is sent to any target; the target's own connection is opened separately
/// (<see cref="TargetConnections"/>).
/// </summary>
public static class ProbeSelfWarm
{
    /// <summary>Requests sent to the loopback server: the first JITs the path, the next ones run it as measured requests will.</summary>
    public const int Rounds = 3;

    private static readonly Lock Gate = new();
    private static Task? s_warmed;

    /// <summary>Warms the probe path once per process; later calls return the same (finished) task. Never throws.</summary>
    public static Task EnsureAsync()
    {
        lock (Gate)
        {
            return s_warmed ??= Task.Run(RunOnceAsync);
        }
    }

    private static async Task RunOnceAsync()
    {
        try
        {
            await RunAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or HttpRequestException or OperationCanceledException)
        {
            // A machine that refuses a loopback listener still measures, only its first request carries start-up cost.
        }
    }

    /// <summary>One self-warm: <see cref="Rounds"/> requests per OpenAI route to a fresh loopback server; their results.</summary>
    internal static async Task<IReadOnlyList<ProbeResult>> RunAsync()
    {
        // The stall meter runs beside every measured request: its thread, its loopback sentinel and their code start
        // here, not on the first measured request's two cores.
        using var stalls = ClientStallMeter.Shared.Acquire();
        // Disposed in reverse: the client closes its connections first, then the server stops and waits for its loops.
        await using var server = new LoopbackStreamServer();
        using var http = WarmupHttp.CreateClient();
        // No guards, no recursion into this self-warm, no stall reading: this traffic is the warmer's own, never a target's.
        var probe = new StreamingProbe(http, NoAuthentication.Instance) { SelfWarm = false };
        var dialect = new OpenAiDialect();
        var results = new List<ProbeResult>();
        // Both OpenAI routes: their chunks differ (text against delta), and so does the code that reads them.
        foreach (var api in (string[])[OpenAiApis.Completions, OpenAiApis.Chat])
        {
            var target = new WarmupTarget
            {
                Name = "warmup-self-warm",
                BaseUrl = server.BaseUrl,
                Model = "warmup-self-warm",
                Api = api,
                Limits = new TargetLimits { RequestTimeout = TimeSpan.FromSeconds(10) },
            };
            for (var i = 0; i < Rounds; i++)
            {
                results.Add(await probe.SendAsync(target, dialect, new GenerationRequest("warm the warmer", 4, PromptTokens: 4), "self-warm", CancellationToken.None)
                    .ConfigureAwait(false));
            }
        }

        // The readings a measured request takes right after its first token: their JIT would delay its next tokens.
        var now = Stopwatch.GetTimestamp();
        _ = ClientStallMeter.Shared.StalledMs(now - Stopwatch.Frequency, now);
        _ = ClientStallMeter.Shared.StalledAtMs(now - Stopwatch.Frequency, now);
        return results;
    }

    /// <summary>
    /// Keep-alive HTTP/1.1 on raw sockets: answers each request with a stream shaped like vLLM's (the published OpenAI
    /// chunk fields, a role chunk for chat, usage last), with the headers a real server and its gateway send, so the
    /// parsing code a real response needs has all run once. Paced like a real server: a response that arrived whole
    /// would only ever find its bytes already buffered, and the client's first real wait for a first token (the
    /// chunked body read, the SSE parser and the probe's loop each suspending and resuming on a socket event) would
    /// run for the first time inside a measured request, about 2-4 ms of JIT on the first request of every process.
    /// Requests alternate between the two ways servers send headers: before the first token (uvicorn, as vLLM and
    /// SGLang run) and with it (servers and proxies that flush on the first body write).
    /// </summary>
    private sealed class LoopbackStreamServer : IAsyncDisposable
    {
        /// <summary>Long enough that the client is already waiting when the next part arrives.</summary>
        private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(2);

        // Gateways in front of the server add their own headers (Azure ML's deployment name, envoy's upstream time):
        // more than the client's header store starts with, so its growth runs here too.
        private static readonly byte[] Head = Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\nserver: uvicorn\r\ncontent-type: text/event-stream; charset=utf-8\r\n" +
            "x-request-id: self-warm\r\nazureml-model-deployment: self-warm\r\nx-envoy-upstream-service-time: 1\r\n" +
            "transfer-encoding: chunked\r\n\r\n");

        private const string Fields = "\"id\":\"cmpl-self-warm\",\"created\":1767225600,\"model\":\"warmup-self-warm\"";

        private static readonly Response Completions = new(
            Encoding.ASCII.GetBytes(
                Chunk($"data: {{{Fields},\"object\":\"text_completion\",\"choices\":[{{\"index\":0,\"text\":\" warm\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}}]}}\n\n")),
            Encoding.ASCII.GetBytes(
                Chunk($"data: {{{Fields},\"object\":\"text_completion\",\"choices\":[{{\"index\":0,\"text\":\".\",\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}}]}}\n\n") +
                Chunk($"data: {{{Fields},\"object\":\"text_completion\",\"choices\":[],\"usage\":{{\"prompt_tokens\":4,\"total_tokens\":6,\"completion_tokens\":2}}}}\n\n") +
                Chunk("data: [DONE]\n\n") +
                "0\r\n\r\n"));

        private static readonly Response Chat = new(
            Encoding.ASCII.GetBytes(
                Chunk($"data: {{{Fields},\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":\"\"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n") +
                Chunk($"data: {{{Fields},\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\" warm\"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n")),
            Encoding.ASCII.GetBytes(
                Chunk($"data: {{{Fields},\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\".\"}},\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}}]}}\n\n") +
                Chunk($"data: {{{Fields},\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{{\"prompt_tokens\":4,\"total_tokens\":6,\"completion_tokens\":2}}}}\n\n") +
                Chunk("data: [DONE]\n\n") +
                "0\r\n\r\n"));

        private int _answered;

        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Task> _serving = [];
        private readonly Task _accepting;

        public LoopbackStreamServer()
        {
            _listener.Start();
            BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _accepting = AcceptAsync();
        }

        public Uri BaseUrl { get; }

        /// <summary>
        /// Stops and waits until every loop has ended: a stopped accept and a cancelled receive end in exceptions, work
        /// for the thread pool that would otherwise overlap the target's first measured request, sent right after.
        /// </summary>
        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            _listener.Stop();
            await _accepting.ConfigureAwait(false);
            // Complete now: the accept loop, which alone adds to it, has ended.
            await Task.WhenAll(_serving).ConfigureAwait(false);
            _stop.Dispose();
        }

        private static string Chunk(string payload) => $"{Encoding.UTF8.GetByteCount(payload):x}\r\n{payload}\r\n";

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
                    _serving.Add(ServeAsync(socket));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using var _ = socket;
            var buffer = new byte[16 * 1024];
            var filled = 0;
            try
            {
                while (true)
                {
                    int headerEnd;
                    while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
                    {
                        var read = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            return;
                        }

                        filled += read;
                    }

                    var chat = buffer.AsSpan(0, headerEnd).IndexOf("/chat/"u8) >= 0;
                    var total = headerEnd + 4 + ContentLength(buffer.AsSpan(0, headerEnd));
                    while (filled < total)
                    {
                        var read = await socket.ReceiveAsync(buffer.AsMemory(filled), _stop.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            return;
                        }

                        filled += read;
                    }

                    buffer.AsSpan(total, filled - total).CopyTo(buffer);
                    filled -= total;
                    await AnswerAsync(socket, chat ? Chat : Completions, Interlocked.Increment(ref _answered) % 2 == 1).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task AnswerAsync(Socket socket, Response response, bool headersFirst)
        {
            if (headersFirst)
            {
                await socket.SendAsync(Head, _stop.Token).ConfigureAwait(false);
                await PauseAsync(_stop.Token).ConfigureAwait(false);
                await socket.SendAsync(response.FirstToken, _stop.Token).ConfigureAwait(false);
            }
            else
            {
                await PauseAsync(_stop.Token).ConfigureAwait(false);
                await socket.SendAsync(response.HeadAndFirstToken, _stop.Token).ConfigureAwait(false);
            }

            await PauseAsync(_stop.Token).ConfigureAwait(false);
            await socket.SendAsync(response.Rest, _stop.Token).ConfigureAwait(false);
        }

        /// <summary>
        /// A <see cref="Pause"/> that lasts: a timer counts on a coarse clock and can end well before 2 ms, and a part
        /// that arrives early would find the client not yet waiting, which is the path this server exists to warm.
        /// </summary>
        private static async Task PauseAsync(CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            for (var left = Pause; left > TimeSpan.Zero; left = Pause - Stopwatch.GetElapsedTime(started))
            {
                await Task.Delay(left + TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
            }
        }

        private static int ContentLength(ReadOnlySpan<byte> head)
        {
            var name = "\r\nContent-Length: "u8;
            var start = head.IndexOf(name);
            if (start < 0)
            {
                return 0;
            }

            var value = head[(start + name.Length)..];
            var end = value.IndexOf("\r\n"u8);
            return int.Parse(Encoding.ASCII.GetString(end < 0 ? value : value[..end]), System.Globalization.CultureInfo.InvariantCulture);
        }

        /// <param name="FirstToken">The chunks up to the first token (chat: the role chunk with it, as vLLM writes them).</param>
        /// <param name="Rest">The remaining chunks and the body's end.</param>
        private sealed record Response(byte[] FirstToken, byte[] Rest)
        {
            public byte[] HeadAndFirstToken { get; } = [.. Head, .. FirstToken];
        }
    }
}
