using System.Globalization;
using KernelShim.Bindings;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KernelShim.Harness.Scenarios;

/// <summary>A scenario file that does not follow the format; names file, line and field.</summary>
public sealed class ScenarioFormatException(string file, Mark at, string message)
    : Errors.KernelShimException(Errors.ErrorClass.Input, $"{System.IO.Path.GetFileName(file)}:{at.Line}:{at.Column}: {message}")
{
    public string File { get; } = file;
    public int Line { get; } = (int)at.Line;
}

/// <summary>
/// Reads scenario files (YAML, documented in scenarios/README.md) into
/// <see cref="Scenario"/>s, rejecting anything unknown or out of range with
/// an error that names the line and the field.
/// </summary>
public static class ScenarioLoader
{
    public const ulong DefaultMapPages = 4096;

    private static readonly string[] StepKinds = ["map", "unmap", "lookup", "entries", "stats", "cycle", "random", "fragment", "stress"];

    /// <summary>Every *.yaml of <paramref name="dir"/>; a missing directory, a file, or none there is an input error.</summary>
    public static IReadOnlyList<Scenario> LoadDirectory(string dir)
    {
        if (File.Exists(dir))
            throw new Errors.InputException($"scenarios: {dir} is a file; give the directory that holds the *.yaml scenario files");
        if (!Directory.Exists(dir))
            throw new Errors.InputException($"scenarios: no directory {dir}");
        var files = Directory.GetFiles(dir, "*.yaml").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
            throw new Errors.InputException($"scenarios: no *.yaml scenario files in {dir}");
        return [.. files.Select(LoadFile)];
    }

    public static Scenario LoadFile(string path) => Parse(File.ReadAllText(path), path);

    public static Scenario Parse(string text, string path)
    {
        var yaml = new YamlStream();
        try
        {
            yaml.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ScenarioFormatException(path, e.Start, $"not valid YAML: {e.InnerException?.Message ?? e.Message}");
        }
        if (yaml.Documents.Count != 1)
            throw new ScenarioFormatException(path, Mark.Empty, "expected exactly one YAML document");
        var r = new Reader(path);
        var root = r.Map(yaml.Documents[0].RootNode, "the file");
        r.OnlyKeys(root, "scenario", "description", "map_pages", "policies", "cases");
        string name = r.Name(r.Required(root, "scenario"), "scenario");
        string description = r.String(r.Required(root, "description"), "description");
        ulong mapPages = r.Optional(root, "map_pages") is { } mp ? (ulong)r.Long(mp, "map_pages", 1, 1 << 22) : DefaultMapPages;
        r.MapPages = mapPages;
        var policies = r.Optional(root, "policies") is { } pn
            ? r.Seq(pn, "policies").Select(p => r.Policy(p, "policies")).ToList()
            : PolicyNames.ModelPolicies.ToList();
        var cases = r.Seq(r.Required(root, "cases"), "cases").Select(c => r.Case(c)).ToList();
        if (cases.Count == 0) throw r.Error(root, "cases: at least one case is required");
        var dup = cases.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ScenarioFormatException(path, new Mark(0, dup.Last().Line, 1), $"case name '{dup.Key}' is used twice");
        return new Scenario(name, description, path, mapPages, policies, cases);
    }

    /// <summary>Node-reading helpers that turn every mistake into a located error.</summary>
    private sealed class Reader(string path)
    {
        public ScenarioFormatException Error(YamlNode node, string message) => new(path, node.Start, message);

        /// <summary>The scenario's map size in pages, once read: no mapping can be larger.</summary>
        public ulong MapPages { get; set; } = DefaultMapPages;

        /// <summary>A scenario or case name: it goes into ids, XML, KTAP and HTML, so no control characters.</summary>
        public string Name(YamlNode node, string what)
        {
            var s = String(node, what);
            int bad = s.AsSpan().IndexOfAnyInRange('\0', '\x1f');
            if (bad < 0) bad = s.IndexOf('\x7f');
            return bad < 0 ? s : throw Error(node, $"{what} '{s.ReplaceLineEndings(" ")}' contains a control character (U+{(int)s[bad]:X4} at position {bad + 1})");
        }

        public YamlMappingNode Map(YamlNode node, string what) =>
            node as YamlMappingNode ?? throw Error(node, $"{what} must be a mapping");

        public IReadOnlyList<YamlNode> Seq(YamlNode node, string what) =>
            (node as YamlSequenceNode)?.Children.ToList() ?? throw Error(node, $"{what} must be a list");

        public YamlNode Required(YamlMappingNode map, string key) =>
            Optional(map, key) ?? throw Error(map, $"'{key}' is required");

        public YamlNode? Optional(YamlMappingNode map, string key) =>
            map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : null;

        public void OnlyKeys(YamlMappingNode map, params string[] allowed)
        {
            foreach (var key in map.Children.Keys)
            {
                var k = (key as YamlScalarNode)?.Value ?? "";
                if (!allowed.Contains(k))
                    throw Error(key, $"unknown field '{k}' (expected one of: {string.Join(", ", allowed)})");
            }
        }

        public string String(YamlNode node, string what) =>
            node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw Error(node, $"{what} must be a non-empty string");

        public long Long(YamlNode node, string what, long min, long max)
        {
            if (node is not YamlScalarNode { Value: { } s } || !long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v))
            {
                // An integer too long for 64 bits is still an integer: say it is out of range, not that it is not one.
                if (node is YamlScalarNode { Value: { } big } && System.Numerics.BigInteger.TryParse(big, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                    throw Error(node, $"{what} = {big} is out of range [{min}, {max}]");
                throw Error(node, $"{what} must be an integer");
            }
            if (v < min || v > max) throw Error(node, $"{what} = {v} is out of range [{min}, {max}]");
            return v;
        }

        public double Double(YamlNode node, string what, double min, double max)
        {
            if (node is not YamlScalarNode { Value: { } s } || !double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
                throw Error(node, $"{what} must be a number");
            if (v < min || v > max) throw Error(node, $"{what} = {v} is out of range [{min}, {max}]");
            return v;
        }

        public bool Bool(YamlNode node, string what) =>
            node is YamlScalarNode { Value: "true" or "false" } s ? s.Value == "true" : throw Error(node, $"{what} must be true or false");

        public string Policy(YamlNode node, string what)
        {
            var s = String(node, what);
            return PolicyNames.IsKnown(s) ? s : throw Error(node, $"{what}: unknown policy '{s}' (known: {PolicyNames.KnownList})");
        }

        public ScenarioCase Case(YamlNode node)
        {
            var m = Map(node, "a case");
            OnlyKeys(m, "name", "tags", "intent", "bug", "steps");
            var name = Name(Required(m, "name"), "name");
            var tags = Optional(m, "tags") is { } t ? Seq(t, "tags").Select(x => String(x, "tags")).ToList() : [];
            var intent = Optional(m, "intent") is { } i ? PerPolicy(i, "intent", Intent) : null;
            var bug = Optional(m, "bug") is { } b ? String(b, "bug") : null;
            bool reproduces = intent?.Values.Contains(CaseIntent.Reproduction) == true;
            if (reproduces && bug is null)
                throw Error(Optional(m, "intent")!, $"case '{name}': intent reproduction needs 'bug:' naming what it reproduces (e.g. PR kern/24039)");
            if (!reproduces && bug is not null)
                throw Error(Optional(m, "bug")!, $"case '{name}': 'bug' is for a case whose intent is reproduction under some policy");
            var steps = Seq(Required(m, "steps"), "steps").Select(Step).ToList();
            if (steps.Count == 0) throw Error(m, $"case '{name}': at least one step is required");
            var c = new ScenarioCase(name, (int)m.Start.Line, steps) { Tags = tags, Intent = intent, Bug = bug };
            // A reproduction has to be able to tell "the bug formed" from "it did not": a cycle step expecting deadlock.
            foreach (var policy in PolicyNames.ModelPolicies.Concat(PolicyNames.KernelPolicies).Distinct())
                if (c.IntentUnder(policy) == CaseIntent.Reproduction
                    && !steps.OfType<CycleStep>().Any(s => s.Verdict is { } v && v.TryGet(policy, out var w) && w == "deadlock"))
                    throw Error(Optional(m, "intent")!, $"case '{name}': intent reproduction under {policy}, but no cycle step expects verdict deadlock under {policy}");
            return c;
        }

        private CaseIntent Intent(YamlNode node, string what) => String(node, what) switch
        {
            "requirement" => CaseIntent.Requirement,
            "reproduction" => CaseIntent.Reproduction,
            var s => throw Error(node, $"{what}: '{s}' is not one of requirement, reproduction"),
        };

        /// <summary>A value, or a mapping from policy/class names to values.</summary>
        public PerPolicy<T> PerPolicy<T>(YamlNode node, string what, Func<YamlNode, string, T> one)
        {
            if (node is not YamlMappingNode m) return Scenarios.PerPolicy<T>.Always(one(node, what));
            var d = new Dictionary<string, T>(StringComparer.Ordinal);
            foreach (var (k, v) in m.Children)
            {
                var key = (k as YamlScalarNode)?.Value ?? "";
                if (!PolicyNames.IsKnownKey(key))
                    throw Error(k, $"{what}: '{key}' is neither a policy nor a class (merging, nomerge, *)");
                d[key] = one(v, $"{what}.{key}");
            }
            return Scenarios.PerPolicy<T>.ByPolicy(d);
        }

        private Step Step(YamlNode node)
        {
            var m = Map(node, "a step");
            var kinds = m.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!).Where(StepKinds.Contains).ToList();
            if (kinds.Count != 1)
                throw Error(m, $"a step needs exactly one of: {string.Join(", ", StepKinds)}");
            var kind = kinds[0];
            OnlyKeys(m, kind, "expect");
            var body = m.Children[new YamlScalarNode(kind)];
            var src = new SourceLine(path, (int)m.Start.Line);
            var expect = Optional(m, "expect") is { } e ? Map(e, "expect") : null;
            if (expect is not null && kind is "entries" or "stats" or "random" or "fragment" or "stress")
                OnlyKeys(expect, "entries", "error");
            Step step = kind switch
            {
                "map" => MapStep(src, body, expect),
                "unmap" => UnmapStep(src, body, expect),
                "lookup" => LookupStep(src, body, expect),
                "entries" => new EntriesStep(src, PerPolicy(body, "entries", Ranges)),
                "stats" => StatsStep(src, body),
                "cycle" => CycleStep(src, body, expect),
                "random" => RandomStep(src, body),
                "fragment" => FragmentStep(src, body),
                _ => StressStep(src, body),
            };
            if (expect is null) return step;
            return step with
            {
                Error = Optional(expect, "error") is { } er ? PerPolicy(er, "expect.error", ErrnoName) : null,
                Entries = Optional(expect, "entries") is { } en ? PerPolicy(en, "expect.entries", (n, w) => Long(n, w, 0, int.MaxValue)) : null,
            };
        }

        private string ErrnoName(YamlNode node, string what)
        {
            var s = String(node, what);
            if (s == "none") return s;
            bool known = typeof(UvmshimIoctl).GetField("UVMSHIM_" + s) is not null && s.StartsWith('E');
            return known ? s : throw Error(node, $"{what}: unknown errno '{s}' (use the ABI's names, e.g. ENOMEM, EINVAL, or none)");
        }

        private IReadOnlyList<(long, long)> Ranges(YamlNode node, string what) =>
            Seq(node, what).Select(r =>
            {
                var pair = Seq(r, what);
                if (pair.Count != 2) throw Error(r, $"{what}: each entry is [start, end] in pages");
                long s = Long(pair[0], what, 0, long.MaxValue), e = Long(pair[1], what, 0, long.MaxValue);
                if (e <= s) throw Error(r, $"{what}: entry [{s}, {e}] is empty");
                return (s, e);
            }).ToList();

        private static readonly Dictionary<string, uint> Prots = new()
        {
            ["none"] = 0, ["r"] = 1, ["rw"] = 3, ["rx"] = 5, ["rwx"] = 7, ["w"] = 2, ["x"] = 4, ["wx"] = 6,
        };

        private MapStep MapStep(SourceLine src, YamlNode body, YamlMappingNode? expect)
        {
            var m = Map(body, "map");
            OnlyKeys(m, "at", "hint", "pages", "prot", "nomerge");
            long? at = Optional(m, "at") is { } a ? Long(a, "map.at", 0, int.MaxValue) : null;
            long hint = Optional(m, "hint") is { } h ? Long(h, "map.hint", 0, int.MaxValue) : 0;
            if (at is not null && Optional(m, "hint") is not null) throw Error(m, "map: give either 'at' (fixed) or 'hint', not both");
            // No mapping can be larger than the map it goes into (map_pages): refused here, not as EINVAL/ENOMEM mid-run.
            long pages = Long(Required(m, "pages"), "map.pages", 1, (long)MapPages);
            uint prot = 3;
            if (Optional(m, "prot") is { } p)
            {
                var ps = String(p, "map.prot");
                if (!Prots.TryGetValue(ps, out prot)) throw Error(p, $"map.prot: '{ps}' is not one of {string.Join(", ", Prots.Keys)}");
            }
            bool nomerge = Optional(m, "nomerge") is { } nm && Bool(nm, "map.nomerge");
            if (expect is not null) OnlyKeys(expect, "outcome", "placed", "entries", "error");
            return new MapStep(src, at, hint, pages, prot, nomerge)
            {
                Outcome = expect is not null && Optional(expect, "outcome") is { } o ? PerPolicy(o, "expect.outcome", Outcome) : null,
                Placed = expect is not null && Optional(expect, "placed") is { } pl ? PerPolicy(pl, "expect.placed", (n, w) => Long(n, w, 0, int.MaxValue)) : null,
            };
        }

        private string Outcome(YamlNode node, string what)
        {
            var s = String(node, what);
            return s is "new-entry" or "back-merge" or "forw-merge" or "bi-merge" ? s
                : throw Error(node, $"{what}: '{s}' is not one of new-entry, back-merge, forw-merge, bi-merge");
        }

        private UnmapStep UnmapStep(SourceLine src, YamlNode body, YamlMappingNode? expect)
        {
            var m = Map(body, "unmap");
            OnlyKeys(m, "from", "to");
            long from = Long(Required(m, "from"), "unmap.from", 0, int.MaxValue);
            long to = Long(Required(m, "to"), "unmap.to", 0, int.MaxValue);
            if (expect is not null) OnlyKeys(expect, "clips", "allocs_locked", "entries", "error");
            return new UnmapStep(src, from, to)
            {
                Clips = expect is not null && Optional(expect, "clips") is { } c ? PerPolicy(c, "expect.clips", (n, w) => Long(n, w, 0, 2)) : null,
                AllocsLocked = expect is not null && Optional(expect, "allocs_locked") is { } al ? PerPolicy(al, "expect.allocs_locked", (n, w) => Long(n, w, 0, 2)) : null,
            };
        }

        private LookupStep LookupStep(SourceLine src, YamlNode body, YamlMappingNode? expect)
        {
            var m = Map(body, "lookup");
            OnlyKeys(m, "at");
            if (expect is not null) OnlyKeys(expect, "found", "entry", "entries", "error");
            return new LookupStep(src, Long(Required(m, "at"), "lookup.at", 0, int.MaxValue))
            {
                Found = expect is not null && Optional(expect, "found") is { } f ? PerPolicy(f, "expect.found", Bool) : null,
                Entry = expect is not null && Optional(expect, "entry") is { } e ? PerPolicy(e, "expect.entry", (n, w) =>
                {
                    var l = Seq(n, w);
                    if (l.Count != 2) throw Error(n, $"{w}: [start, end] in pages");
                    return (Long(l[0], w, 0, long.MaxValue), Long(l[1], w, 0, long.MaxValue));
                }) : null,
            };
        }

        /// <summary>The counters a stats step may check: uvmshim_stats fields, plus "clips" (start + end).</summary>
        public static readonly string[] Counters = typeof(uvmshim_stats).GetFields()
            .Select(f => f.Name).Where(n => n is not ("map_id" or "flags" or "reserved")).Append("clips").ToArray();

        private StatsStep StatsStep(SourceLine src, YamlNode body)
        {
            var m = Map(body, "stats");
            OnlyKeys(m, Counters);
            var d = m.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!,
                kv => PerPolicy(kv.Value, $"stats.{((YamlScalarNode)kv.Key).Value}", (n, w) => Long(n, w, 0, long.MaxValue)));
            return new StatsStep(src, d);
        }

        private CycleStep CycleStep(SourceLine src, YamlNode body, YamlMappingNode? expect)
        {
            var m = Map(body, "cycle");
            OnlyKeys(m, "pages", "bound_ms", "hold_ms", "recover");
            if (expect is not null) OnlyKeys(expect, "verdict", "error");
            return new CycleStep(src,
                Long(Required(m, "pages"), "cycle.pages", UvmshimIoctl.UVMSHIM_MIN_CYCLE_PAGES, UvmshimIoctl.UVMSHIM_MAX_CYCLE_PAGES),
                (uint)(Optional(m, "bound_ms") is { } b ? Long(b, "cycle.bound_ms", UvmshimIoctl.UVMSHIM_MIN_CYCLE_BOUND_MS, UvmshimIoctl.UVMSHIM_MAX_CYCLE_BOUND_MS) : 500),
                (uint)(Optional(m, "hold_ms") is { } h ? Long(h, "cycle.hold_ms", 0, UvmshimIoctl.UVMSHIM_MAX_CYCLE_HOLD_MS) : 0),
                Optional(m, "recover") is not { } r || Bool(r, "cycle.recover"))
            {
                Verdict = expect is not null && Optional(expect, "verdict") is { } v ? PerPolicy(v, "expect.verdict", (n, w) =>
                {
                    var s = String(n, w);
                    return s is "completed" or "deadlock" ? s : throw Error(n, $"{w}: '{s}' is not one of completed, deadlock");
                }) : null,
            };
        }

        private RandomStep RandomStep(SourceLine src, YamlNode body)
        {
            var m = Map(body, "random");
            OnlyKeys(m, "seed", "ops", "max_pages");
            return new RandomStep(src,
                (int)Long(Required(m, "seed"), "random.seed", 0, int.MaxValue),
                (int)Long(Required(m, "ops"), "random.ops", 1, 1_000_000),
                Optional(m, "max_pages") is { } p ? Long(p, "random.max_pages", 1, 4096) : 16);
        }

        private FragmentStep FragmentStep(SourceLine src, YamlNode body)
        {
            var m = Map(body, "fragment");
            OnlyKeys(m, "allocations", "free_share", "seed", "pages");
            return new FragmentStep(src,
                (int)Long(Required(m, "allocations"), "fragment.allocations", 1, 1_000_000),
                Optional(m, "free_share") is { } f ? Double(f, "fragment.free_share", 0, 1) : 0.5,
                Optional(m, "seed") is { } s ? (int)Long(s, "fragment.seed", 0, int.MaxValue) : 1,
                Optional(m, "pages") is { } p ? Long(p, "fragment.pages", 1, 1024) : 1);
        }

        private StressStep StressStep(SourceLine src, YamlNode body)
        {
            var m = Map(body, "stress");
            OnlyKeys(m, "threads", "duration_ms", "max_pages");
            return new StressStep(src,
                (uint)Long(Required(m, "threads"), "stress.threads", 1, UvmshimIoctl.UVMSHIM_MAX_STRESS_THREADS),
                (uint)Long(Required(m, "duration_ms"), "stress.duration_ms", 1, UvmshimIoctl.UVMSHIM_MAX_STRESS_MS),
                Optional(m, "max_pages") is { } p ? Long(p, "stress.max_pages", 1, UvmshimIoctl.UVMSHIM_MAX_STRESS_PAGES) : 8);
        }
    }
}
