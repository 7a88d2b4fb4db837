namespace KernelShim.Harness.Scale;

/// <summary>
/// Names the rows of a matrix: a label the user gave, else the shortest
/// tail of the kernel's path that tells it from the others
/// ("kernel/netbsd" and "kernel-nomerge/netbsd", not "netbsd" twice).
/// </summary>
public static class KernelLabels
{
    public static IReadOnlyList<string> For(IReadOnlyList<(string? Label, string? Path)> kernels)
    {
        var parts = kernels.Select(k => (k.Path ?? "kernel").Split('/', StringSplitOptions.RemoveEmptyEntries)).ToList();
        var labels = new string[kernels.Count];
        for (int i = 0; i < kernels.Count; i++)
        {
            if (kernels[i].Label is { Length: > 0 } given) { labels[i] = given; continue; }
            for (int take = 1; take <= parts[i].Length; take++)
            {
                labels[i] = Tail(parts[i], take);
                int me = i;
                if (!parts.Where((_, j) => j != me).Any(other => Tail(other, take) == labels[i])) break;
            }
        }
        // Still equal (the same path twice, or a label given twice): number them.
        foreach (var group in labels.Select((l, i) => (l, i)).GroupBy(x => x.l).Where(g => g.Count() > 1))
        {
            int n = 1;
            foreach (var (_, i) in group) labels[i] = $"{labels[i]}#{n++}";
        }
        return labels;
    }

    private static string Tail(string[] parts, int take) => string.Join('/', parts.Skip(Math.Max(0, parts.Length - take)));
}
