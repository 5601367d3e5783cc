using System.Text.Json;

namespace Warmup.Simulator;

/// <summary>
/// Per-request timing truth recorded by the simulator: one <see cref="RequestRecord"/> per finished
/// generation request (including faulted ones), optionally appended to a JSON-lines file.
/// </summary>
public sealed class SimulatorLog : IDisposable
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly List<RequestRecord> _records = [];
    private readonly Lock _lock = new();
    private readonly StreamWriter? _file;
    private long _sequence;

    internal SimulatorLog(string? logFile)
    {
        if (logFile is not null)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(logFile));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            _file = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    public IReadOnlyList<RequestRecord> Snapshot()
    {
        lock (_lock)
        {
            return [.. _records];
        }
    }

    /// <summary>Records whose <see cref="RequestRecord.Sequence"/> is greater than <paramref name="sequence"/>.</summary>
    public IReadOnlyList<RequestRecord> Since(long sequence)
    {
        lock (_lock)
        {
            return _records.Where(r => r.Sequence > sequence).ToList();
        }
    }

    public RequestRecord? Find(string requestId)
    {
        lock (_lock)
        {
            return _records.LastOrDefault(r => r.RequestId == requestId);
        }
    }

    /// <summary>Waits (polling) until a record for the request id exists; records are added when a request finishes.</summary>
    public async Task<RequestRecord> WaitForAsync(string requestId, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Find(requestId) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no simulator log record for request '{requestId}' within {timeout}");
            }

            await Task.Delay(5);
        }
    }

    internal void Add(RequestRecord record)
    {
        lock (_lock)
        {
            record = record with { Sequence = ++_sequence };
            _records.Add(record);
            _file?.WriteLine(JsonSerializer.Serialize(record, Json));
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _file?.Dispose();
        }
    }
}
