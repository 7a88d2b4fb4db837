using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace KernelShim.Bindings.Tests;

/// <summary>
/// The compiled bindings against the headers, through clang: every size,
/// offset, field type, constant, enum member and function signature the C#
/// side states must hold in C.
/// </summary>
[TestFixture]
[Category("Abi")]
public sealed class LayoutTests
{
    private static (int ExitCode, string Output, string CFile) CheckAgainst(string includeDir, TempDir work)
    {
        string cFile = work.File("kshim_bindings_abi_check.c");
        File.WriteAllText(cFile, AbiCheck.BuildStaticAsserts());
        var (rc, output) = ClangTool.CheckSyntax(cFile, includeDir);
        return (rc, output, cFile);
    }

    [Test]
    public void EveryStructEnumConstantAndFunction_MatchesTheHeadersPerClang()
    {
        using var work = new TempDir();
        var (rc, output, cFile) = CheckAgainst(Repo.IncludeDir, work);
        string text = File.ReadAllText(cFile);
        // Kept beside the test assembly for a look after a failure.
        string kept = Path.Combine(TestContext.CurrentContext.WorkDirectory, Path.GetFileName(cFile));
        File.Copy(cFile, kept, overwrite: true);
        Assert.That(rc, Is.EqualTo(0),
            $"clang rejects what the C# bindings state about native/include (regenerate with `make bindings`; check file {kept}):\n{output}");
        // The check must not be vacuous.
        Assert.Multiple(() =>
        {
            Assert.That(AbiCheck.Structs.Count(), Is.GreaterThanOrEqualTo(17), "structs in the bindings");
            Assert.That(Regex.Matches(text, @"_Static_assert\(offsetof").Count, Is.GreaterThan(150), "offset checks");
            Assert.That(text, Does.Contain("UVMSHIM_IOC_MAP_CREATE"));
            Assert.That(text, Does.Contain("&kshim_model_ioctl"));
        });
    }

    public static IEnumerable<TestCaseData> HeaderMutations()
    {
        static TestCaseData Case(string name, string header, string pattern, string replacement, string expect) =>
            new TestCaseData(header, pattern, replacement, expect).SetName($"BrokenHeader_{name}_FailsTheLayoutCheck");

        yield return Case("FieldWidened", "uvmshim_ioctl.h",
            @"(struct uvmshim_entry \{[^}]*?)uint32_t(\s+pad0;)", "${1}uint64_t$2",
            "sizeof(struct uvmshim_entry) == 32");
        yield return Case("MidFieldWidened", "uvmshim_ioctl.h",
            @"(struct uvmshim_lookup \{[^}]*?)uint32_t(\s+index;)", "${1}uint64_t$2",
            "offsetof(struct uvmshim_lookup, pad0) == 52");
        yield return Case("SignednessFlipped", "uvmshim_ioctl.h",
            @"(struct uvmshim_op_result \{\s*)int32_t(\s+error;)", "${1}uint32_t$2",
            "type of uvmshim_op_result.error is int");
        yield return Case("CharArrayUnsigned", "uvmshim_ioctl.h",
            @"\tchar osrelease\[", "\tunsigned char osrelease[",
            "type of uvmshim_version.osrelease[]");
        yield return Case("ConstantChanged", "uvmshim_ioctl.h",
            @"(#define UVMSHIM_ABI_VERSION\s+)3", "${1}4",
            "UVMSHIM_ABI_VERSION == 3");
        yield return Case("ConstantTypeChanged", "uvmshim_ioctl.h",
            @"(#define UVMSHIM_FEAT_BATCH\s+)0x0001U", "${1}0x0001",
            "type of UVMSHIM_FEAT_BATCH is unsigned int");
        yield return Case("StringChanged", "uvmshim_ioctl.h",
            @"(#define UVMSHIM_DEVICE_PATH\s+)""/dev/uvmshim""", @"${1}""/dev/uvmshim0""",
            "UVMSHIM_DEVICE_PATH ==");
        yield return Case("EnumMemberChanged", "uvmshim_ioctl.h",
            @"UVMSHIM_OUTCOME_BI_MERGE = 4", "UVMSHIM_OUTCOME_BI_MERGE = 5",
            "UVMSHIM_OUTCOME_BI_MERGE == 4u");
        yield return Case("CommandStructChanged", "uvmshim_ioctl.h",
            @"UVMSHIM_IOR\(UVMSHIM_IOC_GROUP, 0, struct uvmshim_version\)", "UVMSHIM_IOR(UVMSHIM_IOC_GROUP, 0, struct uvmshim_entry)",
            "UVMSHIM_IOC_VERSION ==");
        yield return Case("FunctionParameterWidened", "kshim_model.h",
            @"uint32_t cmd", "uint64_t cmd",
            "signature of kshim_model_ioctl");
        yield return Case("ModelConfigFieldWidened", "kshim_model.h",
            @"uint32_t entries_per_page;", "uint64_t entries_per_page;",
            "offsetof(struct kshim_model_config, total_pages) == 8");
    }

    [TestCaseSource(nameof(HeaderMutations))]
    public void BrokenHeader_FailsTheLayoutCheck(string header, string pattern, string replacement, string expected)
    {
        using var work = new TempDir();
        work.CopyHeaders((name, text) => name == header ? EditOnce(text, pattern, replacement) : text);
        var (rc, output, _) = CheckAgainst(work.Path, work);
        Assert.That(rc, Is.Not.EqualTo(0), $"clang accepted the bindings against a broken {header}:\n{output}");
        Assert.That(output, Does.Contain(expected), "clang's message should name the mismatch");
    }

    internal static string EditOnce(string text, string pattern, string replacement)
    {
        var re = new Regex(pattern);
        Assert.That(re.Matches(text), Has.Count.EqualTo(1), $"pattern /{pattern}/ must match the header exactly once");
        return re.Replace(text, replacement, 1);
    }

    // ---- every declaration of a header has a C# counterpart ---------------

    /// <summary>
    /// Declarations of <paramref name="headerText"/> (read from its text) that
    /// the compiled bindings lack.  A macro counts as bound when it is a
    /// constant of the header's class or listed in the "Skipped" comment of
    /// the header's generated file.
    /// </summary>
    internal static List<string> MissingCounterparts(string headerName, string headerText)
    {
        var d = HeaderScan.Scan(headerText);
        Assembly asm = AbiCheck.BindingsAssembly;
        string className = Repo.ClassNameOf(headerName);
        Type? cls = asm.GetType($"{AbiCheck.Namespace}.{className}");
        string generatedPath = Path.Combine(Repo.GeneratedDir, className + ".cs");
        string generated = File.Exists(generatedPath) ? File.ReadAllText(generatedPath) : "";
        var skipped = Regex.Matches(generated, @"^//   ([A-Za-z_]\w*)[(:]", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var constants = cls is null ? [] : AbiCheck.Constants(cls).Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var imports = cls is null ? [] : AbiCheck.Imports(cls).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);

        var missing = new List<string>();
        if (cls is null)
        {
            missing.Add($"class {className}");
        }
        foreach (string s in d.Structs)
        {
            Type? t = asm.GetType($"{AbiCheck.Namespace}.{s}");
            if (t is null || !t.IsValueType || t.IsEnum || t.StructLayoutAttribute?.Value != LayoutKind.Explicit)
            {
                missing.Add($"struct {s}");
            }
        }
        foreach (var (s, names) in d.StructFields)
        {
            if (asm.GetType($"{AbiCheck.Namespace}.{s}") is { IsValueType: true, IsEnum: false } t)
            {
                missing.AddRange(names.Where(f => t.GetField(f) is null).Select(f => $"field {s}.{f}"));
            }
        }
        foreach (string e in d.Enums)
        {
            if (asm.GetType($"{AbiCheck.Namespace}.{e}") is not { IsEnum: true } t)
            {
                missing.Add($"enum {e}");
                continue;
            }
            missing.AddRange(d.EnumMembers[e].Where(m => t.GetField(m) is null).Select(m => $"enum member {e}.{m}"));
        }
        foreach (string m in d.ObjectMacros)
        {
            if (!constants.Contains(m) && !skipped.Contains(m))
            {
                missing.Add($"macro {m} (neither a constant nor listed as skipped)");
            }
        }
        foreach (string m in d.FunctionMacros)
        {
            if (!skipped.Contains(m))
            {
                missing.Add($"function-like macro {m} (not listed as skipped)");
            }
        }
        foreach (string f in d.Functions)
        {
            if (!imports.Contains(f))
            {
                missing.Add($"function {f}");
            }
        }
        return missing;
    }

    [TestCaseSource(typeof(Repo), nameof(Repo.Headers))]
    public void EveryDeclarationOfTheHeader_HasACSharpCounterpart(string header)
    {
        string text = File.ReadAllText(Path.Combine(Repo.IncludeDir, header));
        var d = HeaderScan.Scan(text);
        Assert.That(d.Structs, Is.Not.Empty, "the header scan found no struct at all");
        Assert.That(MissingCounterparts(header, text), Is.Empty,
            $"{header} declares what the bindings lack: run `make bindings`");
    }

    [Test]
    public void HeaderScan_SeesTheDeclarationsItChecks()
    {
        var ioctl = HeaderScan.Scan(File.ReadAllText(Path.Combine(Repo.IncludeDir, "uvmshim_ioctl.h")));
        var model = HeaderScan.Scan(File.ReadAllText(Path.Combine(Repo.IncludeDir, "kshim_model.h")));
        Assert.Multiple(() =>
        {
            Assert.That(ioctl.Structs, Has.Count.EqualTo(17).And.Contains("uvmshim_entry").And.Contains("uvmshim_op_brief").And.Contains("uvmshim_kmap_summary"));
            Assert.That(ioctl.Enums, Has.Count.EqualTo(6).And.Contains("uvmshim_cycle_verdict"));
            Assert.That(ioctl.StructFields["uvmshim_version"], Is.EqualTo(new[]
            {
                "abi_version", "target", "netbsd_version", "page_size", "features", "policies", "max_maps",
                "max_batch_ops", "osrelease", "reserved",
            }));
            Assert.That(ioctl.EnumMembers["uvmshim_target"], Is.EqualTo(new[]
            {
                "UVMSHIM_TARGET_KERNEL", "UVMSHIM_TARGET_MODEL", "UVMSHIM_TARGET_TESTGUEST",
            }));
            Assert.That(ioctl.ObjectMacros, Does.Contain("UVMSHIM_IOC_KMAP_SUMMARY").And.Contains("UVMSHIM_IOCTL_H"));
            Assert.That(ioctl.FunctionMacros, Is.EquivalentTo(new[] { "UVMSHIM_IOC", "UVMSHIM_IOR", "UVMSHIM_IOW", "UVMSHIM_IOWR", "UVMSHIM_POLICY_BIT" }));
            Assert.That(ioctl.Functions, Is.Empty);
            Assert.That(model.Structs, Is.EqualTo(new[] { "kshim_model_config" }));
            Assert.That(model.Functions, Is.EquivalentTo(new[] { "kshim_model_open", "kshim_model_close", "kshim_model_ioctl", "kshim_model_script" }));
        });
    }

    [Test]
    public void ANewStructEnumMacroOrFunction_IsReportedMissing()
    {
        string text = File.ReadAllText(Path.Combine(Repo.IncludeDir, "uvmshim_ioctl.h"));
        text = LayoutTests.EditOnce(text, @"(struct uvmshim_map_ref \{[^}]*?uint32_t pad0;)", "$1\n\tuint64_t brand_new_field;");
        text = LayoutTests.EditOnce(text, @"(UVMSHIM_OUTCOME_BI_MERGE = 4)", "$1,\n\tUVMSHIM_OUTCOME_NEW_MEMBER = 5");
        text = text.Replace("#endif /* UVMSHIM_IOCTL_H */",
            "struct uvmshim_brand_new {\n\tuint64_t x;\n};\nenum uvmshim_new_enum { UVMSHIM_NEW_A = 0 };\n" +
            "#define UVMSHIM_NEW_CONSTANT 7\n#define UVMSHIM_NEW_FN(x) (x)\n#endif /* UVMSHIM_IOCTL_H */");
        string model = File.ReadAllText(Path.Combine(Repo.IncludeDir, "kshim_model.h"))
            .Replace("#ifdef __cplusplus\n}", "int32_t kshim_model_reset(uint64_t handle);\n\n#ifdef __cplusplus\n}");
        Assert.Multiple(() =>
        {
            Assert.That(MissingCounterparts("uvmshim_ioctl.h", text), Is.EquivalentTo(new[]
            {
                "struct uvmshim_brand_new",
                "field uvmshim_map_ref.brand_new_field",
                "enum member uvmshim_outcome.UVMSHIM_OUTCOME_NEW_MEMBER",
                "enum uvmshim_new_enum",
                "macro UVMSHIM_NEW_CONSTANT (neither a constant nor listed as skipped)",
                "function-like macro UVMSHIM_NEW_FN (not listed as skipped)",
            }));
            Assert.That(MissingCounterparts("kshim_model.h", model), Is.EquivalentTo(new[] { "function kshim_model_reset" }));
        });
    }

    // ---- ABI rules of uvmshim_ioctl.h, through the verified bindings ------

    [Test]
    public void EveryStruct_IsAMultipleOf8WithExplicitPadding()
    {
        Assert.Multiple(() =>
        {
            foreach (Type s in AbiCheck.Structs)
            {
                int size = Marshal.SizeOf(s);
                Assert.That(size % 8, Is.EqualTo(0), $"sizeof(struct {s.Name}) = {size} is not a multiple of 8");
                long next = 0;
                foreach (FieldInfo f in AbiCheck.Fields(s))
                {
                    long offset = Marshal.OffsetOf(s, f.Name).ToInt64();
                    Assert.That(offset, Is.EqualTo(next), $"implicit padding (or overlap) before {s.Name}.{f.Name}");
                    next = offset + AbiCheck.FieldShape(f).Size;
                }
                Assert.That(next, Is.EqualTo(size), $"implicit tail padding in {s.Name}");
            }
        });
    }

    [Test]
    public void IoctlCommands_EncodeDirectionGroupNumberAndStructSize()
    {
        const uint Out = 0x40000000U, In = 0x80000000U, InOut = In | Out;
        var expected = new (string Name, uint Dir, uint Number, Type Arg)[]
        {
            ("UVMSHIM_IOC_VERSION", Out, 0, typeof(uvmshim_version)),
            ("UVMSHIM_IOC_MAP_CREATE", InOut, 1, typeof(uvmshim_map_create)),
            ("UVMSHIM_IOC_MAP_DESTROY", In, 2, typeof(uvmshim_map_ref)),
            ("UVMSHIM_IOC_MAP", InOut, 3, typeof(uvmshim_map_req)),
            ("UVMSHIM_IOC_UNMAP", InOut, 4, typeof(uvmshim_unmap_req)),
            ("UVMSHIM_IOC_LOOKUP", InOut, 5, typeof(uvmshim_lookup)),
            ("UVMSHIM_IOC_BATCH", InOut, 6, typeof(uvmshim_batch)),
            ("UVMSHIM_IOC_STATS", InOut, 7, typeof(uvmshim_stats)),
            ("UVMSHIM_IOC_DUMP", InOut, 8, typeof(uvmshim_dump)),
            ("UVMSHIM_IOC_PRESSURE", InOut, 9, typeof(uvmshim_pressure)),
            ("UVMSHIM_IOC_CYCLE", InOut, 10, typeof(uvmshim_cycle)),
            ("UVMSHIM_IOC_STRESS", InOut, 11, typeof(uvmshim_stress)),
            ("UVMSHIM_IOC_KMAP_SUMMARY", Out, 12, typeof(uvmshim_kmap_summary)),
        };
        var commands = AbiCheck.Constants(typeof(UvmshimIoctl))
            .Where(f => Regex.IsMatch(f.Name, "^UVMSHIM_IOC_[A-Z_]+$") && f.Name is not ("UVMSHIM_IOC_VOID" or "UVMSHIM_IOC_OUT"
                or "UVMSHIM_IOC_IN" or "UVMSHIM_IOC_INOUT" or "UVMSHIM_IOC_GROUP"))
            .ToDictionary(f => f.Name, f => f);
        Assert.That(commands.Keys, Is.EquivalentTo(expected.Select(e => e.Name)), "the set of commands");
        Assert.Multiple(() =>
        {
            foreach (var (name, dir, number, arg) in expected)
            {
                FieldInfo f = commands[name];
                Assert.That(f.FieldType, Is.EqualTo(typeof(uint)), $"{name} must be a uint constant");
                uint size = (uint)AbiCheck.ManagedSize(arg);
                Assert.That(size, Is.LessThanOrEqualTo(0x1fffU), $"{arg.Name} too large for the ioctl length field");
                uint want = dir | (size & 0x1fffU) << 16 | (uint)'U' << 8 | number;
                Assert.That((uint)f.GetRawConstantValue()!, Is.EqualTo(want), $"{name} = 0x{(uint)f.GetRawConstantValue()!:X8}, want 0x{want:X8}");
            }
        });
    }

    [Test]
    public void Imports_AreCdeclExactSpellingFromKshimModel()
    {
        var imports = AbiCheck.Imports(typeof(KshimModel)).ToList();
        Assert.That(imports.Select(m => m.Name), Is.EquivalentTo(new[] { "kshim_model_open", "kshim_model_close", "kshim_model_ioctl", "kshim_model_script" }));
        Assert.Multiple(() =>
        {
            foreach (MethodInfo m in imports)
            {
                var a = m.GetCustomAttribute<DllImportAttribute>();
                Assert.That(a, Is.Not.Null, m.Name);
                Assert.That(a!.Value, Is.EqualTo("kshim_model"), m.Name);
                Assert.That(a.CallingConvention, Is.EqualTo(CallingConvention.Cdecl), m.Name);
                Assert.That(a.ExactSpelling, Is.True, m.Name);
            }
        });
    }
}
