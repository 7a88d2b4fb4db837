using System.Collections.Concurrent;
using KernelShim.Harness.Runner;

namespace KernelShim.Harness.Scale;

/// <summary>
/// Runs jobs on the slots of a <see cref="SlotPlan"/>: one worker per slot
/// pulls the next job from a shared queue (so the order given is the order
/// started: put long jobs first).  When a job reports that its endpoint
/// failed (the engine stopped answering, not the guest misbehaving), that
/// endpoint is retired and the job goes back to the queue for another
/// endpoint; jobs left when every endpoint is retired are reported as not run.
/// </summary>
public sealed class SlotScheduler<TJob, TResult>(SlotPlan plan)
{
    /// <summary>Called as each job ends (from worker threads), for progress displays.</summary>
    public Action<Placement<TJob, TResult>>? OnDone { get; init; }

    /// <summary>Called when an endpoint is retired, with why.</summary>
    public Action<DockerEndpoint, string>? OnRetired { get; init; }

    private sealed record Item(int Index, TJob Job, IReadOnlyList<DockerEndpoint> FailedOn);

    public async Task<IReadOnlyList<Placement<TJob, TResult>>> RunAsync(
        IReadOnlyList<TJob> jobs,
        Func<TJob, EndpointSlots, int, CancellationToken, Task<JobOutcome<TResult>>> run,
        Func<TJob, string, TResult> notRun,
        CancellationToken ct = default)
    {
        var queue = new ConcurrentQueue<Item>(jobs.Select((j, i) => new Item(i, j, [])));
        var results = new Placement<TJob, TResult>?[jobs.Count];
        var retired = new ConcurrentDictionary<DockerEndpoint, string>();
        int pending = jobs.Count;

        async Task WorkerAsync(EndpointSlots endpoint, int slot)
        {
            await Task.Yield();
            while (!ct.IsCancellationRequested && !retired.ContainsKey(endpoint.Endpoint) && Volatile.Read(ref pending) > 0)
            {
                if (!queue.TryDequeue(out var item))
                {
                    // Another worker's job may still come back (its endpoint failed): wait for it.
                    await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                    continue;
                }
                var started = DateTimeOffset.UtcNow;
                JobOutcome<TResult> outcome;
                try
                {
                    outcome = await run(item.Job, endpoint, slot, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    queue.Enqueue(item);
                    return;
                }
                catch (Exception e)
                {
                    // A bug or an unforeseen failure in one job must not take the other slots down with it.
                    outcome = new JobOutcome<TResult>(notRun(item.Job, $"the harness failed on this job: {e.GetType().Name}: {e.Message}"));
                }
                var placed = new Placement<TJob, TResult>(item.Job, endpoint.Endpoint, slot, started, DateTimeOffset.UtcNow - started, outcome.Result)
                {
                    FailedOn = item.FailedOn,
                };
                if (outcome.EndpointFailed)
                {
                    if (retired.TryAdd(endpoint.Endpoint, $"failed under {item.Job}"))
                        OnRetired?.Invoke(endpoint.Endpoint, $"failed under {item.Job}");
                    var failedOn = item.FailedOn.Append(endpoint.Endpoint).ToList();
                    if (plan.Endpoints.Any(e => e.Slots > 0 && !retired.ContainsKey(e.Endpoint)))
                    {
                        queue.Enqueue(item with { FailedOn = failedOn });
                        continue;
                    }
                    placed = placed with { FailedOn = failedOn };
                }
                results[item.Index] = placed;
                Interlocked.Decrement(ref pending);
                OnDone?.Invoke(placed);
            }
        }

        var workers = plan.Endpoints.SelectMany(e => Enumerable.Range(0, e.Slots).Select(s => WorkerAsync(e, s))).ToList();
        if (workers.Count == 0) throw new InvalidOperationException("the slot plan has no slot: nothing can run");
        await Task.WhenAll(workers).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();

        // Whatever is left had no endpoint to run on.
        while (queue.TryDequeue(out var left))
        {
            var why = $"not run: every endpoint was retired ({string.Join("; ", retired.Select(r => $"{r.Key.Url} {r.Value}"))})";
            var placed = new Placement<TJob, TResult>(left.Job, null, -1, DateTimeOffset.UtcNow, TimeSpan.Zero, notRun(left.Job, why))
            {
                FailedOn = left.FailedOn,
            };
            results[left.Index] = placed;
            OnDone?.Invoke(placed);
        }
        return [.. results.Select(r => r!)];
    }
}
