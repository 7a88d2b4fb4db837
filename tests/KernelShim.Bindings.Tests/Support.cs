using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace KernelShim.Bindings.Tests;

/// <summary>Where things are in the repository.</summary>
internal static class Repo
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    private static readonly Lazy<string[]> s_headers = new(() =>
    {
        string script = File.ReadAllText(Path.Combine(Root, "bindings", "generate.sh"));
        string[] found = Regex.Matches(script, @"--header\s+native/include/([\w.-]+\.h)")
            .Select(m => m.Groups[1].Value).ToArray();
        if (found.Length == 0)
        {
            throw new InvalidOperationException("bindings/generate.sh names no --header native/include/*.h");
        }
        return found;
    });

    /// <summary>
    /// The headers the bindings are generated from, in generation order, as
    /// bindings/generate.sh (the one regeneration command) lists them.
    /// </summary>
    public static string[] Headers => s_headers.Value;

    public static string Root => s_root.Value;

    public static string IncludeDir => Path.Combine(Root, "native", "include");

    public static string GeneratedDir => Path.Combine(Root, "bindings", "KernelShim.Bindings", "Generated");

    private static string FindRoot()
    {
        foreach (string start in new[] { TestContext.CurrentContext.TestDirectory, AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "KernelShim.sln")) ||
                    File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new InvalidOperationException("repository root (KernelShim.sln or Directory.Build.props) not found above the test directory");
    }

    /// <summary>uvmshim_ioctl.h -> UvmshimIoctl, the generator's naming rule restated.</summary>
    public static string ClassNameOf(string header) =>
        string.Concat(Path.GetFileNameWithoutExtension(header)
            .Split('_', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => char.ToUpperInvariant(p[0]) + p[1..]));
}

/// <summary>A temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kshim-bindings-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Copies native/include/*.h here, each passed through <paramref name="edit"/> (file name, text).</summary>
    public void CopyHeaders(Func<string, string, string>? edit = null)
    {
        foreach (string src in Directory.GetFiles(Repo.IncludeDir, "*.h"))
        {
            string name = System.IO.Path.GetFileName(src);
            string text = System.IO.File.ReadAllText(src);
            System.IO.File.WriteAllText(File(name), edit is null ? text : edit(name, text));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Runs the installed clang (or $CLANG).</summary>
internal static class ClangTool
{
    public static string Executable => Environment.GetEnvironmentVariable("CLANG") is { Length: > 0 } c ? c : "clang";

    /// <summary>The check command of the ABI tests: syntax only, NetBSD amd64, freestanding.</summary>
    public static (int ExitCode, string Output) CheckSyntax(string cFile, string includeDir) =>
        Run([
            "--target=x86_64-unknown-netbsd", "-ffreestanding", "-std=c11", "-fsyntax-only",
            "-ferror-limit=0", "-fno-color-diagnostics", "-I", includeDir, cFile,
        ]);

    public static (int ExitCode, string Output) Run(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }
        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"cannot run {Executable} ({e.Message}): the ABI tests need clang (scripts/setup.sh installs it)");
            throw;
        }
        using (p)
        {
            var output = new StringBuilder();
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(120_000))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail($"{Executable} did not finish within 120 s");
            }
            output.Append(stdout.Result).Append(stderr.Result);
            return (p.ExitCode, output.ToString());
        }
    }
}

/// <summary>What a header declares, read from its text (independently of clang and the generator).</summary>
internal static partial class HeaderScan
{
    public sealed record Declarations(
        List<string> Structs,
        List<string> Enums,
        Dictionary<string, List<string>> StructFields,
        Dictionary<string, List<string>> EnumMembers,
        List<string> ObjectMacros,
        List<string> FunctionMacros,
        List<string> Functions);

    public static Declarations Scan(string headerText)
    {
        string text = StripComments(headerText);
        var structs = StructDef().Matches(text).Select(m => m.Groups[1].Value).ToList();
        var enums = EnumDef().Matches(text).Select(m => m.Groups[1].Value).ToList();
        var fields = StructBody().Matches(text).ToDictionary(
            m => m.Groups[1].Value,
            m => FieldName().Matches(m.Groups[2].Value).Select(f => f.Groups[1].Value).ToList());
        var members = EnumBody().Matches(text).ToDictionary(
            m => m.Groups[1].Value,
            m => m.Groups[2].Value.Split(',').Select(e => e.Split('=')[0].Trim()).Where(e => e.Length > 0).ToList());
        var objectMacros = new List<string>();
        var functionMacros = new List<string>();
        foreach (Match m in Define().Matches(text))
        {
            (m.Groups[2].Value == "(" ? functionMacros : objectMacros).Add(m.Groups[1].Value);
        }
        // Functions: file-scope "type name(" outside preprocessor lines.
        string noPreproc = PreprocessorLine().Replace(text.Replace("\\\n", " "), "");
        var functions = FunctionDecl().Matches(noPreproc).Select(m => m.Groups[1].Value).Distinct().ToList();
        return new Declarations(structs, enums, fields, members, objectMacros, functionMacros, functions);
    }

    public static string StripComments(string text) =>
        LineComment().Replace(BlockComment().Replace(text, m => new string('\n', m.Value.Count(c => c == '\n'))), "");

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    [GeneratedRegex(@"//[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\bstruct\s+([A-Za-z_]\w*)\s*\{")]
    private static partial Regex StructDef();

    [GeneratedRegex(@"\benum\s+([A-Za-z_]\w*)\s*\{")]
    private static partial Regex EnumDef();

    [GeneratedRegex(@"\bstruct\s+([A-Za-z_]\w*)\s*\{([^}]*)\}")]
    private static partial Regex StructBody();

    // The declarator of one member: its name, an optional array bound, then ';'.
    [GeneratedRegex(@"([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?\s*;")]
    private static partial Regex FieldName();

    [GeneratedRegex(@"\benum\s+([A-Za-z_]\w*)\s*\{([^}]*)\}")]
    private static partial Regex EnumBody();

    [GeneratedRegex(@"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\(|\s|$)", RegexOptions.Multiline)]
    private static partial Regex Define();

    [GeneratedRegex(@"^[ \t]*#[^\n]*", RegexOptions.Multiline)]
    private static partial Regex PreprocessorLine();

    [GeneratedRegex(@"^[ \t]*(?:extern[ \t]+)?[A-Za-z_][\w \t]*[\s\*]([A-Za-z_]\w*)\s*\(", RegexOptions.Multiline)]
    private static partial Regex FunctionDecl();
}
