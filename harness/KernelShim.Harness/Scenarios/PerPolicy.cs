namespace KernelShim.Harness.Scenarios;

/// <summary>
/// An expected value that may differ by policy: a scalar applies to all;
/// a mapping is looked up by policy name, then by class ("merging",
/// "nomerge"), then "*".  No entry means "not checked under that policy".
/// </summary>
public sealed class PerPolicy<T>
{
    private readonly T? _all;
    private readonly bool _hasAll;
    private readonly IReadOnlyDictionary<string, T> _byKey;

    private PerPolicy(T? all, bool hasAll, IReadOnlyDictionary<string, T> byKey)
    {
        _all = all;
        _hasAll = hasAll;
        _byKey = byKey;
    }

    public static PerPolicy<T> Always(T value) => new(value, true, new Dictionary<string, T>());

    public static PerPolicy<T> ByPolicy(IReadOnlyDictionary<string, T> byKey) => new(default, false, byKey);

    /// <summary>Every value written, whatever policy or class it is for.</summary>
    public IEnumerable<T> Values => _hasAll ? [_all!] : _byKey.Values;

    public bool TryGet(string policy, out T value)
    {
        if (_hasAll) { value = _all!; return true; }
        if (_byKey.TryGetValue(policy, out value!)) return true;
        if (_byKey.TryGetValue(PolicyNames.ClassOf(policy), out value!)) return true;
        return _byKey.TryGetValue("*", out value!);
    }
}
