namespace Warmup.Simulator.Tests.Profiles;

public sealed class SimulatorProfileTests
{
    [Fact]
    public void Builtins_load_with_the_documented_shapes()
    {
        var d = SimulatorProfile.Default;
        var many = SimulatorProfile.Builtin("many-buckets");
        var lora = SimulatorProfile.Builtin("lora");

        Assert.Equal([128, 256, 512, 1024, 2048, 4096, 8192], d.PrefillBuckets);
        Assert.Equal([1, 2, 4, 8, 16, 24, 32], d.CudaGraphCaptureSizes);
        Assert.Equal(8192, d.MaxModelLen);
        Assert.Equal(16, many.PrefillBuckets.Count);
        Assert.Equal(Enumerable.Range(1, 16).Select(i => i * 512), many.PrefillBuckets);
        Assert.Equal(64, many.CudaGraphCaptureSizes[^1]);
        Assert.Equal(["sql-lora", "chat-lora", "code-lora"], lora.LoraAdapters.Select(a => a.Name));
        Assert.All(lora.LoraAdapters, a => Assert.True(a.LoadMs > 0));
    }

    [Fact]
    public void Profiles_with_other_compiled_shapes_load_and_validate()
    {
        var sglang = SimulatorProfile.Builtin("sglang-like");
        var fine = SimulatorProfile.Builtin("fine-buckets");
        var large = SimulatorProfile.Builtin("large-batch");

        Assert.Equal([1, 2, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64], sglang.CudaGraphCaptureSizes);
        Assert.Equal(Enumerable.Range(1, 16).Select(i => i * 512), sglang.PrefillBuckets);
        Assert.Equal(Enumerable.Range(1, 32).Select(i => i * 128), fine.PrefillBuckets);
        Assert.Equal(4096, fine.MaxModelLen);
        Assert.Equal(256, large.MaxNumSeqs);
        Assert.Equal(256, large.CudaGraphCaptureSizes[^1]);
        Assert.Equal(35, large.CudaGraphCaptureSizes.Count);
    }

    [Fact]
    public void Default_profile_models_roughly_ten_times_steady_ttft_for_a_500_token_prompt()
    {
        var p = SimulatorProfile.Default;
        var steady = p.PrefillStepBaseMs + 500 * p.PrefillMsPerToken;
        var cold = steady + p.FirstRequestInitMs + p.JitCompileBaseMs + 512 * p.JitCompileMsPerToken + p.GraphCaptureMs + p.KvAllocMsPerChunk;

        Assert.InRange(steady, 100, 200);
        Assert.InRange(cold / steady, 8, 12);
    }

    [Fact]
    public void Profile_files_are_copied_to_the_output_and_match_the_embedded_ones()
    {
        foreach (var name in SimulatorProfile.BuiltinNames)
        {
            var file = Path.Combine(AppContext.BaseDirectory, "Profiles", $"{name}.json");
            Assert.Equal(SimulatorProfile.Builtin(name), SimulatorProfile.Load(file), new ProfileComparer());
        }
    }

    [Fact]
    public void Load_accepts_a_builtin_name_and_a_partial_file_keeps_defaults()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{ "name": "mine", "timeScale": 0.1, "prefillBuckets": [256, 8192] }""");
            var mine = SimulatorProfile.Load(path);

            Assert.Equal(0.1, mine.TimeScale);
            Assert.Equal([256, 8192], mine.PrefillBuckets);
            Assert.Equal(SimulatorProfile.Default.DecodeStepMs, mine.DecodeStepMs);
            Assert.Equal("lora", SimulatorProfile.Load("lora").Name);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("{ \"timeScale\": 0 }", "timeScale must be a finite number > 0")]
    [InlineData("{ \"prefillBuckets\": [512, 256, 8192] }", "prefillBuckets must be positive and strictly ascending")]
    [InlineData("{ \"prefillBuckets\": [128, 4096] }", "the largest prefill bucket (4096) must be >= maxModelLen (8192)")]
    [InlineData("{ \"cudaGraphCaptureSizes\": [] }", "cudaGraphCaptureSizes must list at least one size")]
    [InlineData("{ \"decodeStepMs\": -1, \"jitterFraction\": 2 }", "decodeStepMs must be a finite number >= 0")]
    [InlineData("{ \"loraAdapters\": [{ \"name\": \"a\" }, { \"name\": \"a\" }] }", "lora adapter name 'a' is used twice")]
    [InlineData("{ \"errorStyle\": \"fancy\" }", "errorStyle must be")]
    [InlineData("{ \"prefilBuckets\": [128] }", "prefilBuckets")]
    [InlineData("{ \"timeScale\": \"fast\" }", "not a valid simulator profile")]
    [InlineData("{ not json", "not a valid simulator profile")]
    public void Bad_profile_file_gives_a_clear_error(string json, string expected)
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, json);
            var error = Assert.Throws<SimulatorProfileException>(() => SimulatorProfile.Load(path));

            Assert.Contains(path, error.Message);
            Assert.Contains(expected, error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Missing_file_and_unknown_builtin_are_clear_errors()
    {
        var missing = Assert.Throws<SimulatorProfileException>(() => SimulatorProfile.Load("/no/such/profile.json"));
        var unknown = Assert.Throws<SimulatorProfileException>(() => SimulatorProfile.Builtin("turbo"));

        Assert.Contains("does not exist", missing.Message);
        Assert.Contains("known: default, many-buckets, lora", unknown.Message);
    }

    [Fact]
    public async Task Starting_with_an_invalid_profile_fails_before_binding()
    {
        var bad = SimulatorProfile.Default with { MaxNumSeqs = 0 };

        var error = await Assert.ThrowsAsync<SimulatorProfileException>(() => Sim.StartAsync(bad));
        Assert.Contains("maxNumSeqs must be > 0", error.Message);
    }

    private sealed class ProfileComparer : IEqualityComparer<SimulatorProfile>
    {
        public bool Equals(SimulatorProfile? x, SimulatorProfile? y) => x?.ToJson() == y?.ToJson();

        public int GetHashCode(SimulatorProfile obj) => obj.ToJson().GetHashCode();
    }
}
