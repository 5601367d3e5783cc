using System.Diagnostics;
using OpenTelemetry;

namespace Warmup.Core.Telemetry;

/// <summary>
/// Marks every span of the "Warmup" source (including the probe's request spans) as synthetic traffic, so Application
/// Insights files it under operation_SyntheticSource = "warmup" and user-facing views can leave it out.
/// </summary>
internal sealed class SyntheticSourceProcessor : BaseProcessor<Activity>
{
    public override void OnStart(Activity data)
    {
        if (data.Source.Name == WarmupTelemetry.SourceName && data.GetTagItem(WarmupTagNames.SyntheticSource) is null)
        {
            data.SetTag(WarmupTagNames.SyntheticSource, WarmupTagNames.SyntheticSourceValue);
        }
    }
}
