using Warmup.Core.Prompts;
using Warmup.Core.Tests.Readiness;

namespace Warmup.Core.Tests.Prompts;

public sealed class PromptFactoryTests
{
    private static readonly VllmLikeTestDialect Dialect = new();

    [Fact]
    public async Task Every_prompt_starts_with_its_own_salt_and_differs_beyond_it()
    {
        await using var server = await TokenizeServer.StartAsync(count: null);
        using var http = new HttpClient();
        var factory = new PromptFactory(http);
        var target = VllmLikeTestDialect.TargetAt(server.BaseUrl);
        var runSalt = SaltSource.ForAttempt("run");

        var prompts = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            var salt = SaltSource.ForRequest(runSalt, i / 8, i % 8);
            var request = await factory.CreateAsync(target, Dialect, 200, 16, salt, null, CancellationToken.None);
            Assert.StartsWith(PromptSalt.From(salt).Prefix + " ", request.Prompt, StringComparison.Ordinal);
            Assert.EndsWith(PromptFactory.Instruction, request.Prompt, StringComparison.Ordinal);
            prompts.Add(request.Prompt);
        }

        Assert.Equal(prompts.Count, prompts.Distinct().Count());
        Assert.Equal(prompts.Count, prompts.Select(p => p[p.IndexOf(']')..]).Distinct().Count());
        Assert.Equal(prompts.Count, prompts.Select(p => p[..p.IndexOf(']')]).Distinct().Count());
    }

    [Fact]
    public async Task The_same_salt_gives_the_same_prompt_even_from_another_factory()
    {
        await using var server = await TokenizeServer.StartAsync(TokenizeServer.WordsTimesOneAndAHalf);
        using var http = new HttpClient();
        var target = VllmLikeTestDialect.TargetAt(server.BaseUrl);
        const string salt = "run-1/step-3/req-7";

        var first = await new PromptFactory(http).CreateAsync(target, Dialect, 500, 32, salt, "sql-lora", CancellationToken.None);
        var second = await new PromptFactory(http).CreateAsync(target, Dialect, 500, 32, salt, "sql-lora", CancellationToken.None);

        Assert.Equal(first, second);
        Assert.Equal("sql-lora", first.Adapter);
        Assert.Equal(32, first.MaxOutputTokens);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(1000)]
    [InlineData(4096)]
    public async Task Calibrates_against_the_server_tokenizer_within_tolerance_then_reuses_what_it_learned(int promptTokens)
    {
        await using var server = await TokenizeServer.StartAsync(TokenizeServer.WordsTimesOneAndAHalf);
        using var http = new HttpClient();
        var factory = new PromptFactory(http);
        var target = VllmLikeTestDialect.TargetAt(server.BaseUrl);
        var tolerance = Math.Max(PromptFactory.AbsoluteToleranceTokens, promptTokens * PromptFactory.RelativeTolerance);

        var first = await factory.BuildAsync(target, Dialect, promptTokens, 16, "run/step-0/req-0", null, CancellationToken.None);

        Assert.Equal(PromptTokenSource.Measured, first.TokenSource);
        Assert.InRange(first.TokenizeCalls, 1, PromptFactory.MaxTokenizeCalls);
        Assert.Equal(first.TokenizeCalls, server.Requests);
        Assert.Equal(TokenizeServer.WordsTimesOneAndAHalf(first.Request.Prompt), first.Request.PromptTokens);
        Assert.InRange(first.Request.PromptTokens, promptTokens - tolerance, promptTokens + tolerance);

        var callsBefore = server.Requests;
        var second = await factory.BuildAsync(target, Dialect, promptTokens, 16, "run/step-0/req-1", null, CancellationToken.None);

        Assert.Equal(1, server.Requests - callsBefore);
        Assert.Equal(1, second.TokenizeCalls);
        Assert.Equal(TokenizeServer.WordsTimesOneAndAHalf(second.Request.Prompt), second.Request.PromptTokens);
        Assert.InRange(second.Request.PromptTokens, promptTokens - tolerance, promptTokens + tolerance);
    }

    [Theory]
    [InlineData(256)]
    [InlineData(4096)]
    public async Task Converges_when_the_tokenizer_is_not_linear_in_words(int promptTokens)
    {
        // About one token per four characters, as GPT-style BPE is often approximated: word lengths vary, so the
        // per-word ratio differs from prompt to prompt and calibration has to measure rather than assume.
        await using var server = await TokenizeServer.StartAsync(text => (text.Length + 3) / 4);
        using var http = new HttpClient();
        var factory = new PromptFactory(http);
        var target = VllmLikeTestDialect.TargetAt(server.BaseUrl);
        var tolerance = Math.Max(PromptFactory.AbsoluteToleranceTokens, promptTokens * PromptFactory.RelativeTolerance);

        for (var i = 0; i < 5; i++)
        {
            var built = await factory.BuildAsync(target, Dialect, promptTokens, 16, $"run/step-0/req-{i}", null, CancellationToken.None);
            Assert.Equal((built.Request.Prompt.Length + 3) / 4, built.Request.PromptTokens);
            Assert.InRange(built.Request.PromptTokens, promptTokens - tolerance, promptTokens + tolerance);
        }
        Assert.InRange(server.Requests, 5, 5 + PromptFactory.MaxTokenizeCalls);
    }

    [Fact]
    public async Task What_was_learned_carries_over_to_other_lengths_of_the_same_target()
    {
        await using var server = await TokenizeServer.StartAsync(TokenizeServer.WordsTimesOneAndAHalf);
        using var http = new HttpClient();
        var factory = new PromptFactory(http);
        var target = VllmLikeTestDialect.TargetAt(server.BaseUrl);
        await factory.BuildAsync(target, Dialect, 1000, 16, "run/step-0/req-0", null, CancellationToken.None);

        foreach (var (length, index) in new[] { 128, 2048, 300 }.Select((length, index) => (length, index)))
        {
            var before = server.Requests;
            var built = await factory.BuildAsync(target, Dialect, length, 16, $"run/step-1/req-{index}", null, CancellationToken.None);
            Assert.Equal(1, server.Requests - before);
            Assert.InRange(built.Request.PromptTokens, length - Math.Max(2, length * 0.02), length + Math.Max(2, length * 0.02));
        }
    }

    [Fact]
    public async Task Without_a_tokenizer_endpoint_uses_the_documented_estimate_and_stops_asking()
    {
        await using var server = await TokenizeServer.StartAsync(count: null, statusWithoutRule: 404);
        using var http = new HttpClient();
        var factory = new PromptFactory(http);
        var target = VllmLikeTestDialect.TargetAt(server.BaseUrl);

        var first = await factory.BuildAsync(target, Dialect, 1000, 16, "run/step-0/req-0", null, CancellationToken.None);
        var second = await factory.BuildAsync(target, Dialect, 1000, 16, "run/step-0/req-1", null, CancellationToken.None);

        Assert.Equal(PromptTokenSource.Estimated, first.TokenSource);
        Assert.Equal(PromptTokenSource.Estimated, second.TokenSource);
        Assert.Equal(1, server.Requests);
        Assert.Equal(0, second.TokenizeCalls);
        Assert.InRange(first.Request.PromptTokens, 998, 1002);
        // The text really is sized by the estimate: 15 fixed tokens + 1.2 per filler word.
        var words = first.Request.Prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var fillerWords = words - 2 - 3; // "[warmup N]" and "Continue the story."
        Assert.Equal((int)Math.Round((1000 - 15) / 1.2), fillerWords);
    }

    [Fact]
    public async Task A_failing_tokenizer_falls_back_to_the_estimate_but_is_asked_again_next_time()
    {
        await using var server = await TokenizeServer.StartAsync(count: null, statusWithoutRule: 500);
        using var http = new HttpClient();
        var factory = new PromptFactory(http);
        var target = VllmLikeTestDialect.TargetAt(server.BaseUrl);

        var first = await factory.BuildAsync(target, Dialect, 300, 16, "run/step-0/req-0", null, CancellationToken.None);
        var second = await factory.BuildAsync(target, Dialect, 300, 16, "run/step-0/req-1", null, CancellationToken.None);

        Assert.Equal(PromptTokenSource.Estimated, first.TokenSource);
        Assert.Equal(PromptTokenSource.Estimated, second.TokenSource);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task Caller_cancellation_propagates()
    {
        await using var server = await TokenizeServer.StartAsync(TokenizeServer.WordsTimesOneAndAHalf);
        using var http = new HttpClient();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new PromptFactory(http).CreateAsync(VllmLikeTestDialect.TargetAt(server.BaseUrl), Dialect, 100, 8, "s", null, cancelled.Token));
    }

    [Fact]
    public void The_priming_request_is_the_system_prompt_unsalted_and_identical_every_time()
    {
        using var http = new HttpClient();
        var factory = new PromptFactory(http);
        var target = VllmLikeTestDialect.TargetAt(new Uri("http://127.0.0.1:9/"));
        const string systemPrompt = "You are a helpful assistant for the billing team. Answer briefly.";

        var first = factory.CreatePrimingRequest(target, systemPrompt, 1);
        var second = factory.CreatePrimingRequest(target, systemPrompt, 1);

        Assert.Equal(first, second);
        Assert.Equal(systemPrompt, first.Prompt);
        Assert.DoesNotContain("[warmup", first.Prompt, StringComparison.Ordinal);
        Assert.True(first.PromptTokens > 0);
    }

    [Theory]
    [InlineData(0, 16, "salt")]
    [InlineData(100, 0, "salt")]
    [InlineData(100, 16, " ")]
    public async Task Rejects_bad_arguments_with_one_clear_error(int promptTokens, int maxOutputTokens, string salt)
    {
        using var http = new HttpClient();
        var target = VllmLikeTestDialect.TargetAt(new Uri("http://127.0.0.1:9/"));

        await Assert.ThrowsAnyAsync<ArgumentException>(() =>
            new PromptFactory(http).CreateAsync(target, Dialect, promptTokens, maxOutputTokens, salt, null, CancellationToken.None));
    }

    [Fact]
    public void Salt_source_distinguishes_attempts_steps_and_requests()
    {
        Assert.Equal("abc/step-3/req-7", SaltSource.ForRequest("abc", 3, 7));
        Assert.Equal(SaltSource.ForRequest("abc", 1, 2), SaltSource.ForRequest("abc", 1, 2));
        Assert.NotEqual(SaltSource.ForRequest("abc", 1, 2), SaltSource.ForRequest("abc", 2, 1));
        // A retried activity gets the same run salt from the orchestrator but must not resend the same prompts.
        Assert.StartsWith("run-", SaltSource.ForAttempt("run"));
        Assert.NotEqual(SaltSource.ForAttempt("run"), SaltSource.ForAttempt("run"));
        Assert.NotEqual(PromptSalt.From("abc/step-1/req-2"), PromptSalt.From("abc/step-2/req-1"));
        Assert.Matches(@"^\[warmup \d{10}\]$", PromptSalt.From("abc/step-1/req-2").Prefix);
    }
}
