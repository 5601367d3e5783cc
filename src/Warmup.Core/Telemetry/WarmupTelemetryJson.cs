using System.Text.Json.Serialization;

namespace Warmup.Core.Telemetry;

[JsonSerializable(typeof(IReadOnlyDictionary<string, int>))]
internal sealed partial class WarmupTelemetryJson : JsonSerializerContext;
