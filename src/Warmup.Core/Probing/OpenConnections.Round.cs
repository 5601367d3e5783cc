namespace Warmup.Core.Probing;

internal sealed partial class OpenConnections
{
    /// <summary>
    /// Readiness requests sent at once to open connections. Each request that gets a connection holds it, its request
    /// not yet written, until every request of the round got one or ended: none can then reuse a connection another
    /// request of the round freed (an empty answer frees it as soon as it arrives, which on a busy machine can be
    /// before the next request of the round is sent), so the round leaves as many connections open as it has
    /// requests, and none more. Only the flows of the round's requests hold: measured requests write at once.
    /// </summary>
    public sealed class Round
    {
        // The request of a round this flow sends: the connection's stream sees it when the request is written.
        private static readonly AsyncLocal<Request?> Current = new();

        private readonly TaskCompletionSource _allArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _waiting;

        public Round(int count)
        {
            _waiting = count;
            if (count <= 0)
            {
                _allArrived.SetResult();
            }
        }

        /// <summary>The request of a round that the current flow sends, if any.</summary>
        internal static Request? Joined => Current.Value;

        /// <summary>
        /// Joins the round with the request the calling async method sends (the flow's value does not leak to its
        /// caller); disposed when the request ended, whether or not it got a connection.
        /// </summary>
        public IDisposable Join()
        {
            var request = new Request(this);
            Current.Value = request;
            return request;
        }

        private void Arrived()
        {
            if (Interlocked.Decrement(ref _waiting) == 0)
            {
                _allArrived.TrySetResult();
            }
        }

        internal sealed class Request(Round round) : IDisposable
        {
            private int _arrived;

            public Task AllArrived => round._allArrived.Task;

            /// <summary>True the first time only: the request has its connection and is about to be written.</summary>
            public bool Arrive()
            {
                if (Interlocked.Exchange(ref _arrived, 1) != 0)
                {
                    return false;
                }

                round.Arrived();
                return true;
            }

            public void Dispose() => Arrive();
        }
    }
}
