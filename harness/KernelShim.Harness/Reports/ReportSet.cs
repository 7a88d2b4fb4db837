using KernelShim.Harness.Scenarios;

namespace KernelShim.Harness.Reports;

/// <summary>Writes every report of a suite run into one directory.</summary>
public static class ReportSet
{
    public static IReadOnlyList<string> Write(string dir, IReadOnlyList<CaseResult> results, string target)
    {
        Directory.CreateDirectory(dir);
        var files = new List<string>();
        void Put(string name, string text)
        {
            var path = Path.Combine(dir, name);
            var tmp = path + ".tmp";
            File.WriteAllText(tmp, text);
            File.Move(tmp, path, overwrite: true);
            files.Add(path);
        }
        Put("junit.xml", JUnitReport.Build(results, target).ToString());
        Put("results.ktap", KtapReport.Build(results, target));
        Put("results.json", JsonReport.Build(results, target));
        Put("report.html", HtmlReport.Build(results, target));
        return files;
    }
}
