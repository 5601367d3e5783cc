using Warmup.Core.Planning;
using Warmup.Core.Reliability;

namespace Warmup.Core.Tests.Reliability;

public sealed class ResendBudgetTests
{
    // Worst cases 72, 144 and 288 tokens: 504 in all.
    private static readonly PlanStep[] Sent = [new(64, 8, 1), new(64, 8, 2), new(64, 8, 4)];

    [Fact]
    public void Every_step_is_sent_again_when_the_budget_left_holds_them_all()
    {
        var (steps, note) = ResendBudget.Fit(Sent, 504);

        Assert.Equal(Sent, steps);
        Assert.Null(note);
    }

    [Fact]
    public void Only_the_leading_steps_that_fit_are_sent_again_and_the_note_says_how_many_were_not()
    {
        var (steps, note) = ResendBudget.Fit(Sent, 300);

        Assert.Equal(Sent[..2], steps);
        Assert.Equal(
            "after the outage, 1 of the 3 steps sent so far were not sent again: they did not fit what was left of maxTokensPerRun " +
            "(300 tokens, the verification still to come set aside), so their shapes may be cold",
            note);
    }

    [Fact]
    public void A_spent_budget_sends_nothing_again()
    {
        var (steps, note) = ResendBudget.Fit(Sent, -40);

        Assert.Empty(steps);
        Assert.Contains("3 of the 3 steps", note, StringComparison.Ordinal);
        Assert.Contains("(0 tokens", note, StringComparison.Ordinal);
    }
}
