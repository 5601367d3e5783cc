using System.Net;
using Warmup.Core.Dialects;
using Warmup.Core.Probing;
using Warmup.Simulator;

namespace Warmup.Integration.Tests.Dialects;

/// <summary>
/// Triton serves its metrics on their own port (--metrics-port, 8002), not beside the inference API: a triton target
/// names that URL as <c>metricsUrl</c>, and the load reading (busy back-off, activity counters) goes there.
/// </summary>
public sealed class TritonMetricsPortTests
{
    [Fact]
    public async Task The_simulated_Triton_serves_nv_metrics_on_the_second_port_only()
    {
        await using var sim = await FamilySimulator.StartAsync(ServerFamily.Triton);
        using var http = FamilySimulator.Client();

        Assert.NotNull(sim.MetricsUrl);
        Assert.NotEqual(sim.BaseUrl.Port, sim.MetricsUrl.Port);
        Assert.Contains("nv_inference_request_success", await http.GetStringAsync(sim.MetricsUrl));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(sim.BaseUrl, "metrics"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(sim.MetricsUrl, "/v2/health/ready"))).StatusCode);
    }

    [Fact]
    public async Task The_load_is_read_from_the_targets_metrics_url_and_is_unknown_without_it()
    {
        await using var sim = await FamilySimulator.StartAsync(ServerFamily.Triton);
        using var http = FamilySimulator.Client();
        var dialect = DialectRegistry.Default.Get(DialectNames.Triton);
        var target = FamilySimulator.Target(sim, DialectNames.Triton);
        var probe = new StreamingProbe(http, new EnvironmentApiKeyAuthenticator(_ => null));
        for (var i = 0; i < 2; i++)
        {
            Assert.True((await probe.SendAsync(target, dialect, new GenerationRequest("hello there", 4), "c", CancellationToken.None)).IsSuccess);
        }

        var load = await dialect.GetLoadAsync(http, target with { MetricsUrl = sim.MetricsUrl }, CancellationToken.None);

        Assert.NotNull(load);
        Assert.Equal(2, load.RequestsCompleted);
        Assert.Equal(0, load.Waiting);
        Assert.Null(await dialect.GetLoadAsync(http, target, CancellationToken.None));
    }
}
