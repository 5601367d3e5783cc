using Warmup.Core.Adapters;

namespace Warmup.Core.Reporting;

/// <summary>
/// The report's <c>adapters</c> field: which LoRA adapters the run knew of and which it warmed. Adapters a server lists
/// in <c>/v1/models</c> are warmed without being configured, and where the server holds fewer at once than it serves,
/// some are left out on purpose (<see cref="AdapterSelection"/>); a reader (an alert, a dashboard) should not have to
/// parse the notes to learn that.
/// </summary>
/// <param name="Configured">Adapters the target configures.</param>
/// <param name="Discovered">Adapters the server listed (an entry whose <c>parent</c> is the model) that were not configured.</param>
/// <param name="Warmed">Adapters the run warmed and verified.</param>
/// <param name="LeftOut">Adapters beyond what the server holds at once: neither warmed nor verified.</param>
/// <param name="Capacity">Adapters the server holds at once (its metrics' max_lora, else limits.maxLoadedAdapters); null when unknown.</param>
public sealed record AdapterReport(
    IReadOnlyList<string> Configured, IReadOnlyList<string> Discovered, IReadOnlyList<string> Warmed, IReadOnlyList<string> LeftOut, int? Capacity)
{
    public static AdapterReport From(AdapterSelection selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return new AdapterReport(selection.Configured, selection.Discovered, selection.Warmed, selection.LeftOut, selection.Capacity);
    }
}
