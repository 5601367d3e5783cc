using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Warmup.TestFixtures;

/// <summary>
/// Azurite (npm package "azurite") started for one test and stopped by its own process handle. Found through the
/// AZURITE_PATH environment variable (azurite.js or the azurite launcher) or node_modules/azurite in the repository
/// root (`npm install --no-save azurite@3.37.0`); it needs Node on PATH. Linked into the test projects that need it,
/// with <see cref="FixtureFolders"/>.
/// </summary>
internal sealed class Azurite : IAsyncDisposable
{
    // Azurite's documented development account; it grants nothing outside the emulator.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _location;

    private Azurite(Process process, string location, int queuePort, int blobPort, int tablePort)
    {
        _process = process;
        _location = location;
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};"
            + $"BlobEndpoint=http://127.0.0.1:{blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queuePort}/devstoreaccount1;"
            + $"TableEndpoint=http://127.0.0.1:{tablePort}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    // Initialised in this order: the reason depends on the script.
    private static string? Script { get; } = FindScript();

    /// <summary>Why Azurite cannot run here, or null when it can.</summary>
    public static string? Unavailable { get; } = FindUnavailableReason();

    public static async Task<Azurite> StartAsync()
    {
        var location = Directory.CreateTempSubdirectory("warmup-azurite-").FullName;
        int queuePort = FreePort(), blobPort = FreePort(), tablePort = FreePort();
        var start = new ProcessStartInfo(Script!.EndsWith(".js", StringComparison.Ordinal) ? "node" : Script)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Script.EndsWith(".js", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(Script);
        }
        // --skipApiVersionCheck: the SDK speaks a newer service version than Azurite knows; --disableTelemetry: fast shutdown.
        foreach (var arg in new[] { "--silent", "--location", location, "--skipApiVersionCheck", "--disableTelemetry",
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--blobPort", $"{blobPort}", "--queuePort", $"{queuePort}", "--tablePort", $"{tablePort}" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new Azurite(process, location, queuePort, blobPort, tablePort);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await Accepts(queuePort) || !await Accepts(blobPort) || !await Accepts(tablePort))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await azurite.DisposeAsync();
                throw new InvalidOperationException($"Azurite did not listen on 127.0.0.1:{queuePort}, {blobPort} and {tablePort} (exited: {process.HasExited})");
            }
            await Task.Delay(100);
        }
        return azurite;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by the exiting process: the temp folder is cleaned up by the OS later.
        }
    }

    private static async Task<bool> Accepts(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindScript()
    {
        if (Environment.GetEnvironmentVariable("AZURITE_PATH") is { Length: > 0 } configured && File.Exists(configured))
        {
            return configured;
        }

        var local = Path.Combine(FixtureFolders.RepoRoot, "node_modules", "azurite", "dist", "src", "azurite.js");
        return File.Exists(local) ? local : null;
    }

    private static string? FindUnavailableReason()
    {
        if (Script is null)
        {
            return "Azurite is not installed: run `npm install --no-save azurite@3.37.0` in the repository root, or set AZURITE_PATH";
        }

        if (Script.EndsWith(".js", StringComparison.Ordinal) && !OnPath("node"))
        {
            return "Node is not on PATH, so Azurite cannot run";
        }

        return null;
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
}

/// <summary>A fact that needs Azurite; skipped, with the reason, where it cannot run.</summary>
internal sealed class AzuriteFactAttribute : FactAttribute
{
    public AzuriteFactAttribute()
    {
        if (Azurite.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
