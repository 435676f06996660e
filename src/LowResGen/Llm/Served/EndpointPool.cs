namespace LowResGen.Llm.Served;

/// <summary>
/// Hands out endpoints so that no endpoint exceeds its own in-flight limit and each request goes to the least-loaded one
/// (fewest requests in flight relative to its limit). Endpoints that just failed with a connection error or 5xx are avoided
/// for a short, growing cool-down unless every endpoint is cooling down.
/// </summary>
internal sealed class EndpointPool : IDisposable
{
    private readonly EndpointState[] _states;
    private readonly SemaphoreSlim _capacity;
    private readonly TimeSpan _cooldown;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    public EndpointPool(IReadOnlyList<ServedEndpoint> endpoints, TimeSpan cooldown, TimeProvider? time = null)
    {
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("At least one endpoint is needed.", nameof(endpoints));
        }

        foreach (var endpoint in endpoints)
        {
            if (endpoint.MaxInFlight < 1)
            {
                throw new ArgumentException($"Endpoint {endpoint.DisplayName}: max_in_flight must be at least 1, not {endpoint.MaxInFlight}.", nameof(endpoints));
            }
        }

        _states = endpoints.Select(e => new EndpointState(e)).ToArray();
        _capacity = new SemaphoreSlim(_states.Sum(s => s.Endpoint.MaxInFlight));
        _cooldown = cooldown;
        _time = time ?? TimeProvider.System;
    }

    public void Dispose() => _capacity.Dispose();

    public int TotalCapacity => _states.Sum(s => s.Endpoint.MaxInFlight);

    /// <summary>Requests in flight and completed per endpoint, for monitoring and tests.</summary>
    public IReadOnlyList<EndpointLoad> Loads
    {
        get
        {
            lock (_gate)
            {
                return _states.Select(s => new EndpointLoad(s.Endpoint, s.InFlight, s.Started, s.Failures)).ToArray();
            }
        }
    }

    public async Task<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        // The semaphore holds one permit per free slot across all endpoints, so after waiting, some endpoint has room.
        await _capacity.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            EndpointState? best = null;
            foreach (var state in _states)
            {
                if (state.InFlight >= state.Endpoint.MaxInFlight)
                {
                    continue;
                }

                if (best is null || Compare(state, best, now) < 0)
                {
                    best = state;
                }
            }

            best!.InFlight++;
            best.Started++;
            return new Lease(this, best);
        }
    }

    private static int Compare(EndpointState a, EndpointState b, DateTimeOffset now)
    {
        var aCooling = a.AvoidUntil > now;
        var bCooling = b.AvoidUntil > now;
        if (aCooling != bCooling)
        {
            return aCooling ? 1 : -1;
        }

        // Compare load fractions InFlight/Max without division.
        return ((long)a.InFlight * b.Endpoint.MaxInFlight).CompareTo((long)b.InFlight * a.Endpoint.MaxInFlight);
    }

    private void Release(EndpointState state, bool endpointFailed)
    {
        lock (_gate)
        {
            state.InFlight--;
            if (endpointFailed)
            {
                state.Failures++;
                state.ConsecutiveFailures = Math.Min(state.ConsecutiveFailures + 1, 6);
                state.AvoidUntil = _time.GetUtcNow() + (_cooldown * (1 << (state.ConsecutiveFailures - 1)));
            }
            else
            {
                state.ConsecutiveFailures = 0;
                state.AvoidUntil = DateTimeOffset.MinValue;
            }
        }

        _capacity.Release();
    }

    internal sealed class EndpointState(ServedEndpoint endpoint)
    {
        public ServedEndpoint Endpoint { get; } = endpoint;

        public int InFlight { get; set; }

        public long Started { get; set; }

        public long Failures { get; set; }

        public int ConsecutiveFailures { get; set; }

        public DateTimeOffset AvoidUntil { get; set; } = DateTimeOffset.MinValue;
    }

    /// <summary>One request's hold on an endpoint; <see cref="Complete"/> exactly once.</summary>
    internal sealed class Lease
    {
        private readonly EndpointPool _pool;
        private readonly EndpointState _state;
        private int _completed;

        internal Lease(EndpointPool pool, EndpointState state)
        {
            _pool = pool;
            _state = state;
        }

        public ServedEndpoint Endpoint => _state.Endpoint;

        public void Complete(bool endpointFailed)
        {
            if (Interlocked.Exchange(ref _completed, 1) == 0)
            {
                _pool.Release(_state, endpointFailed);
            }
        }
    }
}

/// <summary>An endpoint's load: requests in flight now, requests started and failed since the client was created.</summary>
public sealed record EndpointLoad(ServedEndpoint Endpoint, int InFlight, long Started, long Failures);
