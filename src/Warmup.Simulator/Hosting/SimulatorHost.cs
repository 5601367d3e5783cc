using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Warmup.Simulator.Api;
using Warmup.Simulator.Engine;
using Warmup.Simulator.Faults;
using Warmup.Simulator.Metrics;

namespace Warmup.Simulator;

/// <summary>
/// A running vLLM-compatible simulator on Kestrel. Like `vllm serve`, the port is bound at once but
/// only listens after the modelled start-up delay, so connections are refused until then.
/// </summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly InferenceEngine _engine;
    private readonly IReadOnlyDictionary<string, SimDeployment> _deployments;
    private readonly FamilyState _family;
    private readonly Socket _boundSocket;
    private readonly Socket? _metricsSocket;
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _startup;
    private Task? _engineLoop;
    private int _stopped;

    private SimulatorHost(SimulatorOptions options, Socket boundSocket, Uri baseUrl, Socket? metricsSocket, Uri? metricsUrl)
    {
        Options = options;
        BaseUrl = baseUrl;
        MetricsUrl = metricsUrl;
        _boundSocket = boundSocket;
        _metricsSocket = metricsSocket;
        Clock = new SimClock();
        Log = new SimulatorLog(options.LogFile);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var faults = new FaultInjector(options.Faults);
        var names = options.Family == ServerFamily.AzureMl ? options.AzureMlDeployments : [""];
        _deployments = names.ToDictionary(
            n => n, n => new SimDeployment(n, options.Profile, Clock, Log, faults, created, _stopping.Token, options.RequestSettingsOf(n)),
            StringComparer.Ordinal);
        var primary = _deployments[names[0]];
        _engine = primary.Engine;
        _family = new FamilyState(options.Family);
        _app = BuildApp(options, boundSocket, primary, faults);
    }

    public SimulatorOptions Options { get; }

    public SimulatorProfile Profile => Options.Profile;

    /// <summary>e.g. http://127.0.0.1:41234/ — known at once, even while start-up is still modelled.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Triton: its metrics endpoint on the second port, e.g. http://127.0.0.1:41235/metrics; null for other families.</summary>
    public Uri? MetricsUrl { get; }

    public SimulatorLog Log { get; }

    public SimClock Clock { get; }

    /// <summary>Completes when the server accepts connections (after the modelled start-up delay).</summary>
    public Task Listening => _listening.Task;

    /// <summary>What is warm right now: compiled buckets, captured graph sizes, KV high-water mark, loaded adapters.</summary>
    public SimulatorState State => _engine.Snapshot();

    /// <summary>
    /// The server is replaced by a new process between two requests, too fast for any client to see it gone (the
    /// <c>restart</c> fault is the same with its downtime): everything warm is lost and its metrics start again.
    /// </summary>
    public void RestartUnseen() => _engine.Restart();

    /// <summary>What is warm in one Azure ML deployment (each has its own engine and cold state).</summary>
    public SimulatorState DeploymentState(string deployment) => _deployments[deployment].Engine.Snapshot();

    /// <summary>Azure ML: the most scoring requests the front end ever held at once for one deployment (running and queued).</summary>
    public int FrontEndPeak(string deployment) => _deployments[deployment].FrontEnd.Peak;

    /// <summary>Whether the modelled load is over (families that listen while loading answer "not yet" until then).</summary>
    public bool Loaded => _family.Loaded;

    /// <summary>Completes when the modelled load is over: the server listens and answers as a loaded one.</summary>
    public Task Ready => _family.LoadedTask;

    /// <summary>
    /// Binds the port and returns. With no start-up delay the server is listening on return; otherwise
    /// it starts listening after Profile.StartupDelayMs × TimeScale (await <see cref="Listening"/>).
    /// </summary>
    public static async Task<SimulatorHost> StartAsync(SimulatorOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!ServerFamily.All.Contains(options.Family))
        {
            throw new ArgumentException($"unknown server family '{options.Family}'; known: {string.Join(", ", ServerFamily.All)}", nameof(options));
        }

        if (options.Family == ServerFamily.LlamaCpp)
        {
            // llama.cpp runs at most --parallel requests (slots); the rest wait.
            options = options with { Profile = options.Profile with { MaxNumSeqs = options.LlamaCppSlots } };
        }

        options.Profile.Validate($"simulator profile '{options.Profile.Name}'");
        var address = ParseHost(options.Host);
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"port {options.Port} is not a TCP port (0 = pick a free one)");
        }

        // Bound but not listening: a client gets "connection refused", exactly as while vLLM loads.
        var socket = Bind(address, options.Host, options.Port);
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        var host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        Socket? metricsSocket = null;
        Uri? metricsUrl = null;
        if (options.Family == ServerFamily.Triton)
        {
            if (options.TritonMetricsPort is < 0 or > 65535)
            {
                socket.Dispose();
                throw new ArgumentOutOfRangeException(nameof(options), $"metrics port {options.TritonMetricsPort} is not a TCP port (0 = pick a free one)");
            }

            metricsSocket = Bind(address, options.Host, options.TritonMetricsPort);
            metricsUrl = new Uri($"http://{host}:{((IPEndPoint)metricsSocket.LocalEndPoint!).Port}/metrics");
        }

        var sim = new SimulatorHost(options, socket, new Uri($"http://{host}:{port}/"), metricsSocket, metricsUrl);
        var delay = TimeSpan.FromMilliseconds(options.Profile.StartupDelayMs * options.Profile.TimeScale);
        if (delay <= TimeSpan.Zero)
        {
            await sim.GoLiveAsync(ct);
            sim._family.MarkLoaded();
        }
        else if (ServerFamily.ListensWhileLoading(options.Family))
        {
            // llama.cpp, SGLang, Triton, Ollama and Azure ML answer while loading; only their answers say "not yet".
            await sim.GoLiveAsync(ct);
            sim._startup = sim.MarkLoadedAfterAsync(delay);
        }
        else
        {
            sim._startup = sim.GoLiveAfterAsync(delay);
        }

        return sim;
    }

    private static Socket Bind(IPAddress address, string hostName, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new InvalidOperationException($"cannot bind the simulator to {hostName}:{port}: {ex.Message}", ex);
        }
    }

    private async Task GoLiveAfterAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stopping.Token);
            await GoLiveAsync(_stopping.Token);
            _family.MarkLoaded();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            _listening.TrySetCanceled();
        }
        catch (Exception ex)
        {
            _listening.TrySetException(ex);
        }
    }

    private async Task MarkLoadedAfterAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stopping.Token);
            _family.MarkLoaded();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    private async Task GoLiveAsync(CancellationToken ct)
    {
        _engineLoop = Task.WhenAll(_deployments.Values.Select(d => Task.Run(() => d.Engine.RunAsync(_stopping.Token), CancellationToken.None)));
        await _app.StartAsync(ct);

        // Kestrel now owns the descriptor; keep our wrapper from closing it a second time.
        _boundSocket.SafeHandle.SetHandleAsInvalid();
        GC.SuppressFinalize(_boundSocket);
        if (_metricsSocket is not null)
        {
            _metricsSocket.SafeHandle.SetHandleAsInvalid();
            GC.SuppressFinalize(_metricsSocket);
        }

        _listening.TrySetResult();
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        if (_startup is not null)
        {
            await _startup;
        }

        if (_listening.Task.IsCompletedSuccessfully)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _app.StopAsync(timeout.Token);
        }
        else
        {
            _boundSocket.Dispose();
            _metricsSocket?.Dispose();
        }

        if (_engineLoop is not null)
        {
            await _engineLoop;
        }

        await _app.DisposeAsync();
        Log.Dispose();
        _stopping.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private WebApplication BuildApp(SimulatorOptions options, Socket boundSocket, SimDeployment primary, FaultInjector faults)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenHandle((ulong)boundSocket.Handle);
            if (_metricsSocket is not null)
            {
                kestrel.ListenHandle((ulong)_metricsSocket.Handle);
            }
        });

        var app = builder.Build();
        var generation = primary.Generation;
        var ops = primary.Operations;

        // A "die" fault: while down, every connection is dropped unanswered, the way a crashed server's would be.
        app.Use(async (ctx, next) =>
        {
            if (faults.IsDown)
            {
                ctx.Abort();
                return;
            }

            await next(ctx);
        });

        if (_metricsSocket is not null)
        {
            // Triton's metrics port serves /metrics and nothing else.
            var metricsPort = ((IPEndPoint)_metricsSocket.LocalEndPoint!).Port;
            var model = options.Profile.Model;
            app.Use(async (ctx, next) =>
            {
                if (ctx.Connection.LocalPort != metricsPort)
                {
                    await next(ctx);
                    return;
                }

                await (HttpMethods.IsGet(ctx.Request.Method) && ctx.Request.Path == "/metrics"
                    ? FamilyRoutes.Text(ctx, 200, FamilyMetrics.Render(options.Family, primary.Metrics, model), "text/plain; version=0.0.4")
                    : FamilyRoutes.Text(ctx, 404, "", "text/plain"));
            });
        }

        if (options.Family != ServerFamily.Vllm)
        {
            FamilyRoutes.Map(app, options, _family, _deployments, primary);
            return app;
        }

        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            var expected = $"Bearer {options.ApiKey}";
            app.Use(async (ctx, next) =>
            {
                if (ctx.Request.Path.StartsWithSegments("/v1") && ctx.Request.Headers.Authorization.ToString() != expected)
                {
                    await ApiErrors.UnauthorizedAsync(ctx);
                    return;
                }

                await next(ctx);
            });
        }

        app.MapPost("/v1/completions", ctx => generation.HandleAsync(ctx, WireKind.Completions));
        app.MapPost("/v1/chat/completions", ctx => generation.HandleAsync(ctx, WireKind.ChatCompletions));
        app.MapPost("/generate", ctx => generation.HandleAsync(ctx, WireKind.LegacyGenerate));
        app.MapGet("/health", ops.HealthAsync);
        app.MapMethods("/ping", ["GET", "POST"], ops.HealthAsync);
        app.MapGet("/version", ops.VersionAsync);
        app.MapGet("/v1/models", ops.ModelsAsync);
        app.MapPost("/tokenize", ops.TokenizeAsync);
        app.MapGet("/metrics", ops.MetricsAsync);
        app.MapGet("/sim/log", ops.LogAsync);
        app.MapGet("/sim/state", ops.StateAsync);
        return app;
    }

    private static IPAddress ParseHost(string host)
    {
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(host, out var address)
            ? address
            : throw new ArgumentException($"simulator host '{host}' must be an IP address or 'localhost'", nameof(host));
    }
}
