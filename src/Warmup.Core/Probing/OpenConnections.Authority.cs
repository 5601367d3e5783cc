using System.Diagnostics;

namespace Warmup.Core.Probing;

internal sealed partial class OpenConnections
{
    private sealed class Authority
    {
        private readonly Lock _gate = new();
        private readonly HashSet<CountedStream> _streams = [];

        public CountedStream Add()
        {
            var stream = new CountedStream(this);
            lock (_gate)
            {
                _streams.Add(stream);
            }

            return stream;
        }

        public void Remove(CountedStream stream)
        {
            lock (_gate)
            {
                _streams.Remove(stream);
            }
        }

        public int Count(TimeSpan usedWithin)
        {
            lock (_gate)
            {
                var count = 0;
                foreach (var stream in _streams)
                {
                    if (stream.IsOpen && Stopwatch.GetElapsedTime(stream.LastUsed) <= usedWithin)
                    {
                        count++;
                    }
                }

                return count;
            }
        }

        public bool AnyOpening()
        {
            lock (_gate)
            {
                foreach (var stream in _streams)
                {
                    if (!stream.IsOpen)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }
}
