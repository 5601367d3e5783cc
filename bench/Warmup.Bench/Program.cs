using System.Text.Json;
using Warmup.Bench;

// Usage: dotnet run -c Release --project bench/Warmup.Bench -- [name ...] [--quick] [--out DIR]
if (args.Length > 0 && args[0] == ProbeErrorChild.Flag)
{
    return await ProbeErrorChild.RunAsync(args[1..]);
}

var benchmarks = typeof(IBenchmark).Assembly.GetTypes()
    .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IBenchmark).IsAssignableFrom(t))
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name)
    .ToList();

var quick = args.Contains("--quick");
var outIndex = Array.IndexOf(args, "--out");
var outDir = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine("bench", "results");
var wanted = args.Where((a, i) => !a.StartsWith("--") && (outIndex < 0 || i != outIndex + 1)).ToHashSet();
var unknown = wanted.Except(benchmarks.Select(b => b.Name)).ToList();
if (unknown.Count > 0)
{
    Console.Error.WriteLine($"unknown benchmark(s): {string.Join(", ", unknown)}; known: {string.Join(", ", benchmarks.Select(b => b.Name))}");
    return 2;
}

Directory.CreateDirectory(outDir);
var json = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
foreach (var bench in benchmarks.Where(b => wanted.Count == 0 || wanted.Contains(b.Name)))
{
    Console.WriteLine($"== {bench.Name}");
    var result = await bench.RunAsync(new BenchOptions(quick), CancellationToken.None);
    var file = Path.Combine(outDir, $"{bench.Name}.json");
    await File.WriteAllTextAsync(file, JsonSerializer.Serialize(result, json));
    Console.WriteLine($"   -> {file}");
}
return 0;
