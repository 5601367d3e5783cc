using Warmup.Core.Dialects;
using Warmup.Core.Targets;

namespace Warmup.Functions.Idle;

/// <summary>Reads a target's load counters. Null when the dialect has no metrics or the server cannot be read right now.</summary>
public interface IServerLoadReader
{
    Task<ServerLoad?> ReadAsync(WarmupTarget target, CancellationToken cancellationToken);
}
