using System.Net;
using System.Net.Sockets;
using System.Text;
using Warmup.Core.Dialects.OpenAi;
using Warmup.Core.Targets;

namespace Warmup.Core.Probing;

/// <summary>
/// Warms the warmer before it measures anything. The first request of a process pays the client's own start-up
/// (JIT of the HTTP stack, the SSE parser, the JSON reader and writer, the probe's timeline), about 5 ms that a
/// server-side stamp does not show, which would make the first measured TTFT of every run look like a cold path. So
/// once per process, before the first measured request, the probe's whole path runs against a tiny loopback server
/// on this machine that answers with an OpenAI-style stream (<see cref="Rounds"/> times, so the code that runs once
/// per request is past its first call too). Nothing is sent to any target; the target's own connection is opened
/// separately (<see cref="TargetConnections"/>).
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
            using var server = new LoopbackStreamServer();
            using var http = WarmupHttp.CreateClient();
            // No guards and no stall meter here: this traffic is the warmer's own, never a target's.
            var probe = new StreamingProbe(http, NoAuthentication.Instance) { SelfWarm = false };
            var dialect = new OpenAiDialect();
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
                    await probe.SendAsync(target, dialect, new GenerationRequest("warm the warmer", 4, PromptTokens: 4), "self-warm", CancellationToken.None)
                        .ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is SocketException or IOException or HttpRequestException or OperationCanceledException)
        {
            // A machine that refuses a loopback listener still measures, only its first request carries start-up cost.
        }
    }

    /// <summary>
    /// Keep-alive HTTP/1.1 on raw sockets: answers each request with a stream shaped like vLLM's (the published OpenAI
    /// chunk fields, a role chunk for chat, usage last), with the headers a real server sends, so the parsing code a
    /// real response needs has all run once.
    /// </summary>
    private sealed class LoopbackStreamServer : IDisposable
    {
        private const string Head =
            "HTTP/1.1 200 OK\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\nserver: uvicorn\r\ncontent-type: text/event-stream; charset=utf-8\r\n" +
            "x-request-id: self-warm\r\ntransfer-encoding: chunked\r\n\r\n";

        private const string Fields = "\"id\":\"cmpl-self-warm\",\"created\":1767225600,\"model\":\"warmup-self-warm\"";

        private static readonly byte[] Completions = Encoding.ASCII.GetBytes(
            Head +
            Chunk($"data: {{{Fields},\"object\":\"text_completion\",\"choices\":[{{\"index\":0,\"text\":\" warm\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}}]}}\n\n") +
            Chunk($"data: {{{Fields},\"object\":\"text_completion\",\"choices\":[{{\"index\":0,\"text\":\".\",\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}}]}}\n\n") +
            Chunk($"data: {{{Fields},\"object\":\"text_completion\",\"choices\":[],\"usage\":{{\"prompt_tokens\":4,\"total_tokens\":6,\"completion_tokens\":2}}}}\n\n") +
            Chunk("data: [DONE]\n\n") +
            "0\r\n\r\n");

        private static readonly byte[] Chat = Encoding.ASCII.GetBytes(
            Head +
            Chunk($"data: {{{Fields},\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":\"\"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n") +
            Chunk($"data: {{{Fields},\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\" warm\"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n") +
            Chunk($"data: {{{Fields},\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\".\"}},\"logprobs\":null,\"finish_reason\":\"length\",\"stop_reason\":null}}]}}\n\n") +
            Chunk($"data: {{{Fields},\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{{\"prompt_tokens\":4,\"total_tokens\":6,\"completion_tokens\":2}}}}\n\n") +
            Chunk("data: [DONE]\n\n") +
            "0\r\n\r\n");

        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();

        public LoopbackStreamServer()
        {
            _listener.Start();
            BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _ = AcceptAsync();
        }

        public Uri BaseUrl { get; }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
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
                    _ = ServeAsync(socket);
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
                    await socket.SendAsync(chat ? Chat : Completions, _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
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
    }
}
