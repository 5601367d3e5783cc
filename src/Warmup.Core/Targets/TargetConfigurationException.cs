namespace Warmup.Core.Targets;

/// <summary>A targets source that cannot be read at all (missing file, not JSON, wrong shape). Per-target problems never throw.</summary>
public sealed class TargetConfigurationException(string message, Exception? innerException = null)
    : Exception(message, innerException);
