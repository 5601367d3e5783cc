using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Warmup.Simulator;

/// <summary>
/// Every parameter of the simulated vLLM server and its cold-start model. Durations are in
/// milliseconds at <see cref="TimeScale"/> 1 and are multiplied by <see cref="TimeScale"/> when modelled.
/// See src/Warmup.Simulator/README.md for the meaning and default of each parameter.
/// </summary>
public sealed record SimulatorProfile
{
    public string Name { get; init; } = "default";

    // Identity
    public string Model { get; init; } = "meta-llama/Llama-3.1-8B-Instruct";
    public string Version { get; init; } = "0.11.0";
    public int MaxModelLen { get; init; } = 8192;
    public IReadOnlyList<LoraAdapterProfile> LoraAdapters { get; init; } = [];
    public int MaxLoras { get; init; } = 4;

    // Scheduler
    public int MaxNumSeqs { get; init; } = 256;
    public int MaxNumBatchedTokens { get; init; } = 8192;
    public int BlockSize { get; init; } = 16;
    public int KvCacheBlocks { get; init; } = 65536;
    public bool PrefixCaching { get; init; } = true;
    public int DefaultMaxTokens { get; init; } = 16;

    // Time
    public double TimeScale { get; init; } = 1.0;
    public int Seed { get; init; } = 42;
    public double JitterFraction { get; init; } = 0.03;

    // Steady state
    public double PrefillStepBaseMs { get; init; } = 20;
    public double PrefillMsPerToken { get; init; } = 0.25;
    public double DecodeStepMs { get; init; } = 20;
    public double BatchSlowdownPerSeq { get; init; } = 0.01;
    public double EagerDecodeFactor { get; init; } = 1.5;
    public double EosProbability { get; init; } = 0.02;

    // Cold start
    public double StartupDelayMs { get; init; } = 20000;
    public double FirstRequestInitMs { get; init; } = 200;
    public IReadOnlyList<int> PrefillBuckets { get; init; } = [128, 256, 512, 1024, 2048, 4096, 8192];
    public double JitCompileBaseMs { get; init; } = 600;
    public double JitCompileMsPerToken { get; init; } = 0.2;
    public IReadOnlyList<int> CudaGraphCaptureSizes { get; init; } = [1, 2, 4, 8, 16, 24, 32];
    public double GraphCaptureMs { get; init; } = 250;
    public int KvAllocChunkBlocks { get; init; } = 256;
    public double KvAllocMsPerChunk { get; init; } = 150;
    public double IdleAfterMs { get; init; } = 30000;
    public double IdleRampMs { get; init; } = 500;

    // Wire
    public string ErrorStyle { get; init; } = ErrorStyles.Current;
    public bool EnablePromptTokensDetails { get; init; }

    public static SimulatorProfile Default => Builtin("default");

    /// <summary>
    /// The default server with every cold-start cost at zero (no startup delay, first-request init, JIT compiles, graph
    /// captures, KV growth, idle cool-down or jitter): every shape answers like a warm one, so what a test or benchmark
    /// sees comes only from what it injects (a fault plan, users' load).
    /// </summary>
    public static SimulatorProfile AlwaysWarm(double timeScale) => Default with
    {
        TimeScale = timeScale,
        StartupDelayMs = 0,
        JitterFraction = 0,
        FirstRequestInitMs = 0,
        JitCompileBaseMs = 0,
        JitCompileMsPerToken = 0,
        GraphCaptureMs = 0,
        KvAllocMsPerChunk = 0,
        IdleAfterMs = 1e9,
    };

    public static IReadOnlyList<string> BuiltinNames { get; } = ["default", "many-buckets", "lora", "sglang-like", "fine-buckets", "large-batch"];

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    /// <summary>A built-in profile ("default", "many-buckets", "lora"), read from the embedded JSON.</summary>
    public static SimulatorProfile Builtin(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!BuiltinNames.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            throw new SimulatorProfileException($"unknown built-in simulator profile '{name}'; known: {string.Join(", ", BuiltinNames)}");
        }

        var resource = $"Warmup.Simulator.Profiles.{name.ToLowerInvariant()}.json";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded profile resource '{resource}' is missing from the simulator assembly");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), $"built-in profile '{name}'");
    }

    /// <summary>Loads a profile from a JSON file; a built-in name ("lora") is also accepted.</summary>
    public static SimulatorProfile Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            if (BuiltinNames.Contains(path, StringComparer.OrdinalIgnoreCase))
            {
                return Builtin(path);
            }

            throw new SimulatorProfileException($"simulator profile file '{path}' does not exist (built-in profiles: {string.Join(", ", BuiltinNames)})");
        }

        return Parse(File.ReadAllText(path), $"profile file '{path}'");
    }

    /// <summary>Parses profile JSON. Missing properties keep their defaults; unknown ones are an error.</summary>
    public static SimulatorProfile Parse(string json, string source = "profile")
    {
        SimulatorProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<SimulatorProfile>(json, s_json);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : "";
            throw new SimulatorProfileException($"{source} is not a valid simulator profile{where}: {ex.Message}");
        }

        if (profile is null)
        {
            throw new SimulatorProfileException($"{source} is empty (expected a JSON object)");
        }

        profile.Validate(source);
        return profile;
    }

    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    /// <summary>Throws <see cref="SimulatorProfileException"/> listing every invalid parameter.</summary>
    public void Validate(string source = "profile")
    {
        var errors = new List<string>();
        void Require(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add(message);
            }
        }

        Require(!string.IsNullOrWhiteSpace(Model), "model must be a non-empty name");
        Require(MaxModelLen > 0, "maxModelLen must be > 0");
        Require(MaxNumSeqs > 0, "maxNumSeqs must be > 0");
        Require(MaxNumBatchedTokens >= MaxModelLen, "maxNumBatchedTokens must be >= maxModelLen (the simulator does not chunk prefills)");
        Require(BlockSize > 0, "blockSize must be > 0");
        Require(KvCacheBlocks * (long)BlockSize >= MaxModelLen, "kvCacheBlocks * blockSize must hold at least one maxModelLen sequence");
        Require(DefaultMaxTokens > 0, "defaultMaxTokens must be > 0");
        Require(TimeScale > 0 && double.IsFinite(TimeScale), "timeScale must be a finite number > 0");
        Require(JitterFraction is >= 0 and < 0.5, "jitterFraction must be in [0, 0.5)");
        Require(EosProbability is >= 0 and <= 1, "eosProbability must be in [0, 1]");
        Require(EagerDecodeFactor >= 1, "eagerDecodeFactor must be >= 1");
        Require(MaxLoras > 0, "maxLoras must be > 0");
        Require(KvAllocChunkBlocks > 0, "kvAllocChunkBlocks must be > 0");
        Require(ErrorStyle is ErrorStyles.Current or ErrorStyles.Legacy, $"errorStyle must be '{ErrorStyles.Current}' or '{ErrorStyles.Legacy}'");
        foreach (var (name, value) in new[]
        {
            ("prefillStepBaseMs", PrefillStepBaseMs), ("prefillMsPerToken", PrefillMsPerToken), ("decodeStepMs", DecodeStepMs),
            ("batchSlowdownPerSeq", BatchSlowdownPerSeq), ("startupDelayMs", StartupDelayMs), ("firstRequestInitMs", FirstRequestInitMs),
            ("jitCompileBaseMs", JitCompileBaseMs), ("jitCompileMsPerToken", JitCompileMsPerToken), ("graphCaptureMs", GraphCaptureMs),
            ("kvAllocMsPerChunk", KvAllocMsPerChunk), ("idleAfterMs", IdleAfterMs), ("idleRampMs", IdleRampMs),
        })
        {
            Require(value >= 0 && double.IsFinite(value), $"{name} must be a finite number >= 0 (was {value})");
        }

        RequireAscending(PrefillBuckets, "prefillBuckets", errors);
        RequireAscending(CudaGraphCaptureSizes, "cudaGraphCaptureSizes", errors);
        if (PrefillBuckets is { Count: > 0 })
        {
            Require(PrefillBuckets[^1] >= MaxModelLen, $"the largest prefill bucket ({PrefillBuckets[^1]}) must be >= maxModelLen ({MaxModelLen})");
        }

        var names = new HashSet<string>(StringComparer.Ordinal) { Model };
        foreach (var adapter in LoraAdapters ?? [])
        {
            Require(adapter is not null && !string.IsNullOrWhiteSpace(adapter.Name), "every loraAdapters entry needs a name");
            if (adapter is null || string.IsNullOrWhiteSpace(adapter.Name))
            {
                continue;
            }

            Require(names.Add(adapter.Name), $"lora adapter name '{adapter.Name}' is used twice (or equals the base model)");
            Require(adapter.LoadMs >= 0 && double.IsFinite(adapter.LoadMs), $"lora adapter '{adapter.Name}' loadMs must be >= 0");
        }

        if (errors.Count > 0)
        {
            throw new SimulatorProfileException($"{source} is invalid: {string.Join("; ", errors)}");
        }
    }

    private static void RequireAscending(IReadOnlyList<int>? values, string name, List<string> errors)
    {
        if (values is null || values.Count == 0)
        {
            errors.Add($"{name} must list at least one size");
            return;
        }

        for (var i = 0; i < values.Count; i++)
        {
            if (values[i] <= 0 || (i > 0 && values[i] <= values[i - 1]))
            {
                errors.Add($"{name} must be positive and strictly ascending (got [{string.Join(", ", values)}])");
                return;
            }
        }
    }
}

/// <summary>A LoRA adapter served next to the base model; the first request to it pays <see cref="LoadMs"/>.</summary>
public sealed record LoraAdapterProfile
{
    public string Name { get; init; } = "";
    public double LoadMs { get; init; } = 1000;
}

public static class ErrorStyles
{
    /// <summary>Current vLLM: <c>{"error":{"message","type","param","code"}}</c>.</summary>
    public const string Current = "current";

    /// <summary>vLLM up to ~0.10: <c>{"object":"error","message","type","param","code"}</c>.</summary>
    public const string Legacy = "legacy";
}

/// <summary>A profile file or name that cannot be used; the message says what is wrong.</summary>
public sealed class SimulatorProfileException(string message) : Exception(message);
