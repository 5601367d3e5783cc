using System.Diagnostics;
using System.Reflection;

namespace Warmup.Infra.Tests.Bicep;

/// <summary>
/// Runs the Bicep CLI restored by NuGet (PackageDownload Azure.Bicep.CommandLine.linux-x64). A missing or
/// unrunnable CLI is a test failure with a clear message, never a silent skip.
/// </summary>
internal static class BicepCli
{
    private static readonly TimeSpan _timeout = TimeSpan.FromMinutes(3);

    public static string ExecutablePath { get; } = ResolvePath();

    public static BicepResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        EnsureRunnable();
        var start = new ProcessStartInfo(ExecutablePath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Parameter files read the environment: start from a clean slate so the CI machine's AZURE_* or
        // WARMUP_* variables cannot change what is compiled.
        foreach (var key in start.Environment.Keys.Where(IsParameterVariable).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["BICEP_TRACING_ENABLED"] = "false";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(_timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', args)} did not finish within {_timeout}.");
        }

        return new BicepResult(string.Join(' ', args), process.ExitCode, stdout.Result, stderr.Result);
    }

    private static bool IsParameterVariable(string? key) =>
        key is not null && (key.StartsWith("AZURE_", StringComparison.Ordinal) || key.StartsWith("WARMUP_", StringComparison.Ordinal));

    private static string ResolvePath()
    {
        var fromBuild = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "BicepPath")?.Value;
        return Environment.GetEnvironmentVariable("WARMUP_TEST_BICEP_PATH") is { Length: > 0 } overridden
            ? overridden
            : fromBuild ?? "";
    }

    private static void EnsureRunnable()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            throw new PlatformNotSupportedException(
                "The infra tests run the linux-x64 Bicep CLI from NuGet; set WARMUP_TEST_BICEP_PATH to a bicep executable for this platform.");
        }

        if (!File.Exists(ExecutablePath))
        {
            throw new FileNotFoundException(
                $"Bicep CLI not found at '{ExecutablePath}'. It comes from the NuGet package Azure.Bicep.CommandLine.linux-x64 " +
                "(PackageDownload in Warmup.Infra.Tests.csproj): run `dotnet restore tests/Warmup.Infra.Tests`.", ExecutablePath);
        }

        // NuGet extracts the file with the owner's execute bit only; make sure whoever runs the tests can execute it.
        var mode = File.GetUnixFileMode(ExecutablePath);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(ExecutablePath, mode | UnixFileMode.UserExecute);
        }
    }
}

public sealed record BicepResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Every line Bicep wrote about the sources (warnings, errors, infos), from either stream.</summary>
    public IReadOnlyList<string> Diagnostics =>
        (StandardError + "\n" + StandardOutput)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Contains(" : Warning ", StringComparison.Ordinal)
                || line.Contains(" : Error ", StringComparison.Ordinal)
                || line.Contains(" : Info ", StringComparison.Ordinal))
            .ToList();

    public override string ToString() =>
        $"bicep {Command} exited {ExitCode}\n--- stdout ---\n{StandardOutput}\n--- stderr ---\n{StandardError}";
}
