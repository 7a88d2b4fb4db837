// KernelShim.BindingsGen: C# P/Invoke bindings from C headers, via libclang.
//
// Everything numeric in the output (struct sizes, field offsets, enum values,
// macro values) is asked of clang; nothing is computed here.  Macros are
// evaluated the way ClangSharp does it: a second, unsaved translation unit
// includes the header and declares
//     static const __typeof__((NAME)) kshim_macro_NAME = (NAME);
// for every object-like macro, and each of those variables is evaluated with
// clang_Cursor_Evaluate.  Its declared type picks the C# type.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace KernelShim.BindingsGen;

/// <summary>Options of one generator run (see <see cref="Generator.Usage"/>).</summary>
public sealed class GeneratorOptions
{
    public List<string> Headers { get; } = [];
    public List<string> IncludeDirectories { get; } = [];
    public List<string> ExtraClangArguments { get; } = [];
    public string? OutputDirectory { get; set; }
    public string? ResourceDirectory { get; set; }
    public string SourceRoot { get; set; } = Directory.GetCurrentDirectory();
    public string Namespace { get; set; } = "KernelShim.Bindings";
    public string LibraryName { get; set; } = "kshim_model";
    public string Target { get; set; } = "x86_64-unknown-netbsd";
}

/// <summary>A problem that stops generation; its message is printed as is.</summary>
public sealed class GeneratorException(string message) : Exception(message);

public static partial class Generator
{
    public const string Usage = """
        usage: KernelShim.BindingsGen --header FILE.h [--header FILE.h ...] --output DIR
                                      [-I DIR ...] [--resource-dir DIR] [--source-root DIR]
                                      [--namespace NS] [--library NAME] [--target TRIPLE]
                                      [--clang-arg ARG ...]

          --header        a header to bind; one C# file per header, named after it
          --output        directory that receives the generated .cs files
          -I              include directory passed to clang
          --resource-dir  clang resource directory whose include/ holds the builtin
                          headers (stdint.h...); default: `clang -print-resource-dir`
                          ($CLANG or clang), or $KSHIM_CLANG_RESOURCE_DIR
          --source-root   directory the header paths in the file banners are relative to
                          (default: the current directory)
          --namespace     C# namespace (default KernelShim.Bindings)
          --library       DllImport library name (default kshim_model)
          --target        clang target triple (default x86_64-unknown-netbsd)
          --clang-arg     an extra argument for clang

        Exits 0 on success, 1 when clang reports an error or a declaration cannot be
        bound, 2 on a usage error.
        """;

    internal const string MacroVarPrefix = "kshim_macro_";

    /// <summary>Runs the generator as the command line does; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        GeneratorOptions options;
        try
        {
            options = ParseArguments(args);
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine($"KernelShim.BindingsGen: {e.Message}");
            stderr.WriteLine(Usage);
            return 2;
        }

        try
        {
            IReadOnlyList<(string FileName, string Text)> files = Generate(options, stderr);
            string outDir = Path.GetFullPath(options.OutputDirectory!);
            Directory.CreateDirectory(outDir);
            foreach (var (fileName, text) in files)
            {
                File.WriteAllBytes(Path.Combine(outDir, fileName), new UTF8Encoding(false).GetBytes(text));
                stdout.WriteLine($"wrote {Path.Combine(options.OutputDirectory!, fileName)}");
            }
            return 0;
        }
        catch (GeneratorException e)
        {
            stderr.WriteLine($"KernelShim.BindingsGen: error: {e.Message}");
            return 1;
        }
        catch (DllNotFoundException e)
        {
            stderr.WriteLine($"KernelShim.BindingsGen: error: cannot load libclang (package libClang.runtime.linux-x64): {e.Message}");
            return 1;
        }
    }

    public static GeneratorOptions ParseArguments(string[] args)
    {
        var o = new GeneratorOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Value()
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"option {a} needs a value");
                }
                return args[++i];
            }

            switch (a)
            {
                case "--header": o.Headers.Add(Value()); break;
                case "--output": case "-o": o.OutputDirectory = Value(); break;
                case "-I": case "--include-directory": o.IncludeDirectories.Add(Value()); break;
                case "--resource-dir": o.ResourceDirectory = Value(); break;
                case "--source-root": o.SourceRoot = Value(); break;
                case "--namespace": o.Namespace = Value(); break;
                case "--library": o.LibraryName = Value(); break;
                case "--target": o.Target = Value(); break;
                case "--clang-arg": o.ExtraClangArguments.Add(Value()); break;
                case "-h": case "--help": throw new ArgumentException("help requested");
                default:
                    if (a.StartsWith("-I", StringComparison.Ordinal) && a.Length > 2)
                    {
                        o.IncludeDirectories.Add(a[2..]);
                        break;
                    }
                    throw new ArgumentException($"unknown argument '{a}'");
            }
        }
        if (o.Headers.Count == 0)
        {
            throw new ArgumentException("no --header given");
        }
        if (o.OutputDirectory is null)
        {
            throw new ArgumentException("no --output given");
        }
        return o;
    }

    /// <summary>
    /// Parses every header and returns the generated files (name, text), in a
    /// deterministic order.  Diagnostics go to <paramref name="diagnostics"/>.
    /// Throws <see cref="GeneratorException"/> on any error.
    /// </summary>
    public static IReadOnlyList<(string FileName, string Text)> Generate(GeneratorOptions options, TextWriter diagnostics)
    {
        string resourceInclude = FindBuiltinHeaders(options.ResourceDirectory);
        var clangArgs = new List<string>
        {
            "-x", "c",
            "-std=c11",
            $"--target={options.Target}",
            "-ffreestanding",
            // Hermetic: only clang's builtin headers and our -I directories,
            // never the host's /usr/include.
            "-nostdinc",
            "-isystem", resourceInclude,
        };
        foreach (string dir in options.IncludeDirectories)
        {
            clangArgs.Add("-I" + Path.GetFullPath(dir));
        }
        clangArgs.AddRange(options.ExtraClangArguments);

        var results = new List<(string, string)>();
        var seenClassNames = new HashSet<string>(StringComparer.Ordinal);
        IntPtr index = Clang.clang_createIndex(0, 0);
        try
        {
            foreach (string header in options.Headers)
            {
                string full = Path.GetFullPath(header);
                if (!File.Exists(full))
                {
                    throw new GeneratorException($"{header}: no such file");
                }
                var model = HeaderReader.Read(index, full, clangArgs, diagnostics);
                model.DisplayPath = Path.GetRelativePath(Path.GetFullPath(options.SourceRoot), full).Replace('\\', '/');
                if (!seenClassNames.Add(model.ClassName))
                {
                    throw new GeneratorException($"{header}: two headers map to the class name {model.ClassName}");
                }
                results.Add((model.ClassName + ".cs", Emitter.Emit(model, options)));
            }
        }
        finally
        {
            Clang.clang_disposeIndex(index);
        }
        return results;
    }

    /// <summary>Finds the directory holding clang's builtin headers (stdint.h, stddef.h...).</summary>
    internal static string FindBuiltinHeaders(string? resourceDir)
    {
        string how = "--resource-dir";
        if (string.IsNullOrEmpty(resourceDir))
        {
            resourceDir = Environment.GetEnvironmentVariable("KSHIM_CLANG_RESOURCE_DIR");
            how = "$KSHIM_CLANG_RESOURCE_DIR";
        }
        if (string.IsNullOrEmpty(resourceDir))
        {
            string clang = Environment.GetEnvironmentVariable("CLANG") is { Length: > 0 } c ? c : "clang";
            how = $"`{clang} -print-resource-dir`";
            try
            {
                var psi = new System.Diagnostics.ProcessStartInfo(clang, "-print-resource-dir")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                using var p = System.Diagnostics.Process.Start(psi)!;
                string outText = p.StandardOutput.ReadToEnd();
                p.StandardError.ReadToEnd();
                p.WaitForExit();
                if (p.ExitCode != 0)
                {
                    throw new GeneratorException($"{how} failed (exit {p.ExitCode}); pass --resource-dir");
                }
                resourceDir = outText.Trim();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new GeneratorException(
                    $"cannot run {clang} to find clang's builtin headers ({e.Message}); install clang " +
                    "(apt-get install clang) or pass --resource-dir");
            }
        }
        string include = Path.Combine(Path.GetFullPath(resourceDir), "include");
        if (!File.Exists(Path.Combine(include, "stdint.h")))
        {
            throw new GeneratorException($"no clang builtin headers (stdint.h) in {include} (from {how})");
        }
        return include;
    }
}

// ---------------------------------------------------------------------------
// The model of one header.
// ---------------------------------------------------------------------------

internal sealed class HeaderModel
{
    public required string FullPath { get; init; }
    public string DisplayPath { get; set; } = "";
    public required string ClassName { get; init; }
    public List<object> Types { get; } = []; // StructModel or EnumModel, in source order
    public List<ConstantModel> Constants { get; } = [];
    public List<FunctionModel> Functions { get; } = [];
    public List<(string Name, string Reason)> Skipped { get; } = [];
}

internal sealed record FieldModel(string Name, long Offset, string CSharpType, long FixedCount);

internal sealed record StructModel(string Name, long Size, List<FieldModel> Fields);

internal sealed record EnumModel(string Name, string UnderlyingType, List<(string Name, string Value)> Members);

internal sealed record ConstantModel(string Name, string CSharpType, string Literal, string Definition);

internal sealed record FunctionModel(string Name, string ReturnType, List<(string Type, string Name)> Parameters, string Declaration);

// ---------------------------------------------------------------------------
// Reading a header through libclang.
// ---------------------------------------------------------------------------

internal static unsafe partial class HeaderReader
{
    public static HeaderModel Read(IntPtr index, string headerPath, List<string> clangArgs, TextWriter diagnostics)
    {
        var model = new HeaderModel
        {
            FullPath = headerPath,
            ClassName = PascalCase(Path.GetFileNameWithoutExtension(headerPath)),
        };
        var macroCandidates = new List<(string Name, string Definition)>();

        IntPtr tu = Parse(index, headerPath, clangArgs, null, null, keepGoing: false);
        try
        {
            ReportDiagnostics(tu, headerPath, diagnostics);
            string source = File.ReadAllText(headerPath);
            var seenFunctions = new HashSet<string>(StringComparer.Ordinal);

            foreach (CXCursor c in Clang.Children(Clang.clang_getTranslationUnitCursor(tu)))
            {
                CXSourceLocation loc = Clang.clang_getCursorLocation(c);
                if (Clang.clang_Location_isFromMainFile(loc) == 0)
                {
                    continue; // declared by an included header: bound with that header
                }
                string where = WhereText(loc);
                switch (c.Kind)
                {
                    case CXCursorKind.StructDecl:
                        if (Clang.clang_isCursorDefinition(c) != 0)
                        {
                            model.Types.Add(ReadStruct(c, where));
                        }
                        break;
                    case CXCursorKind.UnionDecl:
                        if (Clang.clang_isCursorDefinition(c) != 0)
                        {
                            throw new GeneratorException($"{where}: union {Clang.Spelling(c)}: unions are not supported");
                        }
                        break;
                    case CXCursorKind.EnumDecl:
                        if (Clang.clang_isCursorDefinition(c) != 0)
                        {
                            model.Types.Add(ReadEnum(c, where));
                        }
                        break;
                    case CXCursorKind.FunctionDecl:
                    {
                        string name = Clang.Spelling(c);
                        if (Clang.clang_isCursorDefinition(c) != 0)
                        {
                            model.Skipped.Add((name + "()", "function with a body (nothing to import)"));
                        }
                        else if (seenFunctions.Add(name))
                        {
                            model.Functions.Add(ReadFunction(c, where, source));
                        }
                        break;
                    }
                    case CXCursorKind.TypedefDecl:
                        throw new GeneratorException($"{where}: typedef {Clang.Spelling(c)}: typedefs are not supported (the ABI uses plain struct and enum tags)");
                    case CXCursorKind.VarDecl:
                        throw new GeneratorException($"{where}: variable {Clang.Spelling(c)}: variables are not supported");
                    case CXCursorKind.MacroDefinition:
                    {
                        string name = Clang.Spelling(c);
                        string definition = SourceText(c, source);
                        if (Clang.clang_Cursor_isMacroFunctionLike(c) != 0)
                        {
                            string head = definition.Length > name.Length ? definition[..(definition.IndexOf(')') + 1)] : name;
                            model.Skipped.Add((head, "function-like macro"));
                        }
                        else if (definition.Trim() == name)
                        {
                            model.Skipped.Add((name, "empty definition (no value)"));
                        }
                        else
                        {
                            macroCandidates.Add((name, definition));
                        }
                        break;
                    }
                }
            }
        }
        finally
        {
            Clang.clang_disposeTranslationUnit(tu);
        }

        EvaluateMacros(index, headerPath, clangArgs, macroCandidates, model);
        return model;
    }

    private static IntPtr Parse(IntPtr index, string mainFile, List<string> args, string? unsavedName, string? unsavedText,
        bool keepGoing)
    {
        var allocations = new List<IntPtr>();
        IntPtr Utf8(string s)
        {
            IntPtr p = Marshal.StringToCoTaskMemUTF8(s);
            allocations.Add(p);
            return p;
        }

        try
        {
            byte** argv = stackalloc byte*[args.Count];
            for (int i = 0; i < args.Count; i++)
            {
                argv[i] = (byte*)Utf8(args[i]);
            }
            CXUnsavedFile unsaved = default;
            uint nUnsaved = 0;
            if (unsavedName is not null)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(unsavedText!);
                IntPtr contents = Marshal.AllocCoTaskMem(bytes.Length + 1);
                allocations.Add(contents);
                Marshal.Copy(bytes, 0, contents, bytes.Length);
                ((byte*)contents)[bytes.Length] = 0;
                unsaved = new CXUnsavedFile { Filename = Utf8(unsavedName), Contents = contents, Length = (nuint)bytes.Length };
                nUnsaved = 1;
            }
            IntPtr tu;
            int rc = Clang.clang_parseTranslationUnit2(index, (byte*)Utf8(mainFile), argv, args.Count, &unsaved, nUnsaved,
                Clang.CXTranslationUnit_DetailedPreprocessingRecord | (keepGoing ? Clang.CXTranslationUnit_KeepGoing : 0), &tu);
            if (rc != 0 || tu == IntPtr.Zero)
            {
                throw new GeneratorException($"{mainFile}: libclang could not parse it (CXErrorCode {rc}); clang arguments: {string.Join(' ', args)}");
            }
            return tu;
        }
        finally
        {
            foreach (IntPtr p in allocations)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    /// <summary>Prints every diagnostic as file:line:col: severity: message; throws if any is an error.</summary>
    private static void ReportDiagnostics(IntPtr tu, string headerPath, TextWriter output)
    {
        int errors = 0;
        uint n = Clang.clang_getNumDiagnostics(tu);
        for (uint i = 0; i < n; i++)
        {
            IntPtr d = Clang.clang_getDiagnostic(tu, i);
            try
            {
                CXDiagnosticSeverity severity = Clang.clang_getDiagnosticSeverity(d);
                if (severity == CXDiagnosticSeverity.Ignored)
                {
                    continue;
                }
                string message = Clang.ToManaged(Clang.clang_getDiagnosticSpelling(d));
                string where = WhereText(Clang.clang_getDiagnosticLocation(d));
                output.WriteLine($"{where}: {SeverityName(severity)}: {message}");
                if (severity >= CXDiagnosticSeverity.Error)
                {
                    errors++;
                }
            }
            finally
            {
                Clang.clang_disposeDiagnostic(d);
            }
        }
        if (errors > 0)
        {
            throw new GeneratorException($"{headerPath}: clang reported {errors} error(s); no bindings generated");
        }
    }

    private static string SeverityName(CXDiagnosticSeverity s) => s switch
    {
        CXDiagnosticSeverity.Note => "note",
        CXDiagnosticSeverity.Warning => "warning",
        CXDiagnosticSeverity.Error => "error",
        CXDiagnosticSeverity.Fatal => "fatal error",
        _ => "ignored",
    };

    private static string WhereText(CXSourceLocation loc)
    {
        var (file, line, column, _) = Clang.Where(loc);
        return file.Length == 0 ? "<no location>" : $"{file}:{line}:{column}";
    }

    /// <summary>The source text of a cursor's extent, whitespace collapsed.</summary>
    private static string SourceText(CXCursor c, string source)
    {
        CXSourceRange range = Clang.clang_getCursorExtent(c);
        uint start = Clang.Where(Clang.clang_getRangeStart(range)).Offset;
        uint end = Clang.Where(Clang.clang_getRangeEnd(range)).Offset;
        // Offsets are in bytes; the ABI headers are ASCII, but be exact anyway.
        byte[] bytes = Encoding.UTF8.GetBytes(source);
        if (end < start || end > bytes.Length)
        {
            return Clang.Spelling(c);
        }
        string text = Encoding.UTF8.GetString(bytes, (int)start, (int)(end - start));
        return Whitespace().Replace(text.Replace("\\\n", " "), " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    internal static string PascalCase(string stem)
    {
        var sb = new StringBuilder();
        foreach (string part in stem.Split(['_', '-', '.'], StringSplitOptions.RemoveEmptyEntries))
        {
            sb.Append(char.ToUpperInvariant(part[0])).Append(part.AsSpan(1));
        }
        return sb.ToString();
    }

    // ---- structs ---------------------------------------------------------

    private static StructModel ReadStruct(CXCursor c, string where)
    {
        string name = Clang.Spelling(c);
        if (Clang.clang_Cursor_isAnonymous(c) != 0 || name.Length == 0 || name.Contains(' '))
        {
            throw new GeneratorException($"{where}: anonymous struct: only named structs are supported");
        }
        CXType type = Clang.clang_getCursorType(c);
        long size = Clang.clang_Type_getSizeOf(type);
        if (size <= 0)
        {
            throw new GeneratorException($"{where}: struct {name}: clang reports no size ({size})");
        }

        var fields = new List<FieldModel>();
        foreach (CXCursor f in Clang.Children(c))
        {
            string fwhere = WhereText(Clang.clang_getCursorLocation(f));
            switch (f.Kind)
            {
                case CXCursorKind.FieldDecl:
                    break;
                case CXCursorKind.StructDecl or CXCursorKind.UnionDecl or CXCursorKind.EnumDecl:
                    throw new GeneratorException($"{fwhere}: struct {name}: a type defined inside a struct is not supported");
                default:
                    continue;
            }
            string fname = Clang.Spelling(f);
            string what = $"{fwhere}: field {name}.{fname}";
            if (fname.Length == 0)
            {
                throw new GeneratorException($"{fwhere}: struct {name}: anonymous members are not supported");
            }
            if (Clang.clang_Cursor_isBitField(f) != 0)
            {
                throw new GeneratorException($"{what}: bit-fields are not supported");
            }
            if (fname == name)
            {
                throw new GeneratorException($"{what}: a field named like its struct cannot be bound in C#");
            }
            long offsetBits;
            IntPtr fnameUtf8 = Marshal.StringToCoTaskMemUTF8(fname);
            try
            {
                offsetBits = Clang.clang_Type_getOffsetOf(type, (byte*)fnameUtf8);
            }
            finally
            {
                Marshal.FreeCoTaskMem(fnameUtf8);
            }
            if (offsetBits < 0 || offsetBits % 8 != 0)
            {
                throw new GeneratorException($"{what}: clang reports no byte offset ({offsetBits} bits)");
            }

            CXType ftype = Clang.clang_getCanonicalType(Clang.clang_getCursorType(f));
            string ctypeText = Clang.Spelling(Clang.clang_getCursorType(f));
            if (ftype.Kind == CXTypeKind.ConstantArray)
            {
                CXType elem = Clang.clang_getCanonicalType(Clang.clang_getArrayElementType(ftype));
                long count = Clang.clang_getArraySize(ftype);
                string? elemType = Primitive(elem);
                if (elemType is null || elemType is "bool")
                {
                    throw new GeneratorException(
                        $"{what}: unsupported type '{ctypeText}': arrays are supported only of integer or floating types (C# fixed buffers)");
                }
                fields.Add(new FieldModel(fname, offsetBits / 8, elemType, count));
            }
            else
            {
                fields.Add(new FieldModel(fname, offsetBits / 8, FieldType(ftype, what, ctypeText), 0));
            }
        }
        if (fields.Count == 0)
        {
            throw new GeneratorException($"{where}: struct {name} has no fields");
        }
        return new StructModel(name, size, fields);
    }

    private static string FieldType(CXType t, string what, string ctypeText)
    {
        if (Primitive(t) is { } p)
        {
            return p;
        }
        switch (t.Kind)
        {
            case CXTypeKind.Record:
            {
                CXCursor decl = Clang.clang_getTypeDeclaration(t);
                string n = Clang.Spelling(decl);
                if (decl.Kind != CXCursorKind.StructDecl || Clang.clang_Cursor_isAnonymous(decl) != 0 || n.Length == 0)
                {
                    throw new GeneratorException($"{what}: unsupported type '{ctypeText}': only named structs nest");
                }
                return n;
            }
            case CXTypeKind.Enum:
                return EnumName(t, what, ctypeText);
            case CXTypeKind.Pointer:
                throw new GeneratorException(
                    $"{what}: unsupported type '{ctypeText}': pointers are not allowed in ABI structs (user pointers travel as uint64_t)");
            default:
                throw new GeneratorException($"{what}: unsupported type '{ctypeText}'");
        }
    }

    private static string EnumName(CXType t, string what, string ctypeText)
    {
        CXCursor decl = Clang.clang_getTypeDeclaration(t);
        string n = Clang.Spelling(decl);
        if (Clang.clang_Cursor_isAnonymous(decl) != 0 || n.Length == 0 || n.Contains(' '))
        {
            throw new GeneratorException($"{what}: unsupported type '{ctypeText}': anonymous enum");
        }
        return n;
    }

    /// <summary>The C# type of a canonical C arithmetic type, by kind and clang's size; null if not arithmetic.</summary>
    internal static string? Primitive(CXType t)
    {
        long size = Clang.clang_Type_getSizeOf(t);
        bool? unsigned = t.Kind switch
        {
            CXTypeKind.Char_U or CXTypeKind.UChar or CXTypeKind.UShort or CXTypeKind.UInt or CXTypeKind.ULong
                or CXTypeKind.ULongLong => true,
            CXTypeKind.SChar or CXTypeKind.Short or CXTypeKind.Int or CXTypeKind.Long or CXTypeKind.LongLong => false,
            _ => null,
        };
        if (t.Kind == CXTypeKind.Char_S)
        {
            return "sbyte"; // plain char
        }
        if (unsigned is bool u)
        {
            return (size, u) switch
            {
                (1, true) => "byte",
                (2, true) => "ushort",
                (4, true) => "uint",
                (8, true) => "ulong",
                (1, false) => "sbyte",
                (2, false) => "short",
                (4, false) => "int",
                (8, false) => "long",
                _ => null,
            };
        }
        return t.Kind switch
        {
            CXTypeKind.Bool => "byte", // _Bool: one byte; C# bool would marshal as a 4-byte BOOL
            CXTypeKind.Float when size == 4 => "float",
            CXTypeKind.Double when size == 8 => "double",
            _ => null,
        };
    }

    // ---- enums -----------------------------------------------------------

    private static EnumModel ReadEnum(CXCursor c, string where)
    {
        string name = Clang.Spelling(c);
        if (Clang.clang_Cursor_isAnonymous(c) != 0 || name.Length == 0 || name.Contains(' '))
        {
            throw new GeneratorException($"{where}: anonymous enum: only named enums are supported (use #define for loose constants)");
        }
        CXType integer = Clang.clang_getCanonicalType(Clang.clang_getEnumDeclIntegerType(c));
        string underlying = Primitive(integer) is { } p && p is not ("float" or "double")
            ? p
            : throw new GeneratorException($"{where}: enum {name}: unsupported underlying type '{Clang.Spelling(integer)}'");
        bool unsigned = underlying is "byte" or "ushort" or "uint" or "ulong";
        var members = new List<(string, string)>();
        foreach (CXCursor m in Clang.Children(c))
        {
            if (m.Kind != CXCursorKind.EnumConstantDecl)
            {
                continue;
            }
            string value = unsigned
                ? Clang.clang_getEnumConstantDeclUnsignedValue(m).ToString(CultureInfo.InvariantCulture)
                : Clang.clang_getEnumConstantDeclValue(m).ToString(CultureInfo.InvariantCulture);
            members.Add((Clang.Spelling(m), value));
        }
        return new EnumModel(name, underlying, members);
    }

    // ---- functions -------------------------------------------------------

    private static FunctionModel ReadFunction(CXCursor c, string where, string source)
    {
        string name = Clang.Spelling(c);
        CXType ftype = Clang.clang_getCursorType(c);
        if (ftype.Kind != CXTypeKind.FunctionProto)
        {
            throw new GeneratorException($"{where}: function {name}: declarations without a prototype are not supported");
        }
        if (Clang.clang_isFunctionTypeVariadic(ftype) != 0)
        {
            throw new GeneratorException($"{where}: function {name}: variadic functions are not supported");
        }
        string what = $"{where}: function {name}";
        string ret = ParamType(Clang.clang_getCursorResultType(c), what + " (return type)", allowVoid: true);
        var parameters = new List<(string, string)>();
        int n = Clang.clang_Cursor_getNumArguments(c);
        for (uint i = 0; i < n; i++)
        {
            CXCursor a = Clang.clang_Cursor_getArgument(c, i);
            string pname = Clang.Spelling(a);
            if (pname.Length == 0)
            {
                pname = "param" + i.ToString(CultureInfo.InvariantCulture);
            }
            parameters.Add((ParamType(Clang.clang_getCursorType(a), $"{what}, parameter {pname}", allowVoid: false), pname));
        }
        return new FunctionModel(name, ret, parameters, SourceText(c, source));
    }

    private static string ParamType(CXType declared, string what, bool allowVoid)
    {
        string text = Clang.Spelling(declared);
        CXType t = Clang.clang_getCanonicalType(declared);
        if (t.Kind == CXTypeKind.Void)
        {
            return allowVoid ? "void" : throw new GeneratorException($"{what}: unsupported type '{text}'");
        }
        if (t.Kind == CXTypeKind.Pointer)
        {
            CXType pointee = Clang.clang_getCanonicalType(Clang.clang_getPointeeType(t));
            string inner = pointee.Kind == CXTypeKind.Pointer || pointee.Kind == CXTypeKind.Void
                ? ParamType(pointee, what, allowVoid: true)
                : FieldType(pointee, what, text);
            return inner + "*";
        }
        return FieldType(t, what, text);
    }

    // ---- macros ----------------------------------------------------------

    /// <summary>
    /// ClangSharp's technique: a second, unsaved translation unit includes the
    /// header and declares one variable per macro, typed as the macro's
    /// expression; clang evaluates each variable.  A macro whose line draws an
    /// error, or whose variable does not evaluate, is skipped and listed.
    /// </summary>
    private static void EvaluateMacros(IntPtr index, string headerPath, List<string> clangArgs,
        List<(string Name, string Definition)> candidates, HeaderModel model)
    {
        if (candidates.Count == 0)
        {
            return;
        }
        string unsavedName = Path.Combine(Path.GetDirectoryName(headerPath)!,
            $"kshim_bindgen_macros_{Path.GetFileNameWithoutExtension(headerPath)}.c");
        var text = new StringBuilder();
        text.Append("#include \"").Append(headerPath.Replace("\\", "\\\\").Replace("\"", "\\\"")).Append("\"\n");
        int firstLine = 2;
        foreach (var (name, _) in candidates)
        {
            text.Append($"static const __typeof__(({name})) {Generator.MacroVarPrefix}{name} = ({name});\n");
        }

        // KeepGoing: one macro that does not evaluate must not hide the others.
        IntPtr tu = Parse(index, unsavedName, clangArgs, unsavedName, text.ToString(), keepGoing: true);
        try
        {
            // Errors on a line of ours disqualify that macro.
            var failures = new Dictionary<int, string>();
            uint nd = Clang.clang_getNumDiagnostics(tu);
            for (uint i = 0; i < nd; i++)
            {
                IntPtr d = Clang.clang_getDiagnostic(tu, i);
                try
                {
                    if (Clang.clang_getDiagnosticSeverity(d) < CXDiagnosticSeverity.Error)
                    {
                        continue;
                    }
                    // The expansion location: an error inside a macro's tokens belongs to
                    // the line of ours that expanded it.
                    var (file, line) = Clang.ExpansionWhere(Clang.clang_getDiagnosticLocation(d));
                    string message = Clang.ToManaged(Clang.clang_getDiagnosticSpelling(d));
                    int k = (int)line - firstLine;
                    if (file == unsavedName && k >= 0 && k < candidates.Count)
                    {
                        failures.TryAdd(k, message);
                    }
                    else
                    {
                        throw new GeneratorException($"{file}:{line}: error while evaluating macros: {message}");
                    }
                }
                finally
                {
                    Clang.clang_disposeDiagnostic(d);
                }
            }

            var vars = new Dictionary<string, CXCursor>(StringComparer.Ordinal);
            foreach (CXCursor c in Clang.Children(Clang.clang_getTranslationUnitCursor(tu)))
            {
                if (c.Kind == CXCursorKind.VarDecl && Clang.clang_Location_isFromMainFile(Clang.clang_getCursorLocation(c)) != 0)
                {
                    vars.TryAdd(Clang.Spelling(c), c);
                }
            }

            for (int k = 0; k < candidates.Count; k++)
            {
                var (name, definition) = candidates[k];
                if (failures.TryGetValue(k, out string? why))
                {
                    model.Skipped.Add((name, $"does not evaluate: {why}"));
                    continue;
                }
                if (!vars.TryGetValue(Generator.MacroVarPrefix + name, out CXCursor v))
                {
                    model.Skipped.Add((name, "does not evaluate (no declaration)"));
                    continue;
                }
                if (Evaluate(v, definition, out string csType, out string literal, out string? reason))
                {
                    model.Constants.Add(new ConstantModel(name, csType, literal, definition));
                }
                else
                {
                    model.Skipped.Add((name, reason!));
                }
            }
        }
        finally
        {
            Clang.clang_disposeTranslationUnit(tu);
        }
    }

    private static string Suffix(string csType) => csType switch
    {
        "uint" => "U",
        "ulong" => "UL",
        "long" => "L",
        _ => "",
    };

    /// <summary>A macro whose whole body is one decimal integer literal (name, then e.g. 4096U).</summary>
    [GeneratedRegex(@"^\S+\s+\(?[1-9][0-9]*[uUlL]*\)?$")]
    private static partial Regex DecimalLiteral();

    private static bool Evaluate(CXCursor v, string definition, out string csType, out string literal, out string? reason)
    {
        csType = literal = "";
        reason = null;
        CXType declared = Clang.clang_getCursorType(v);
        CXType t = Clang.clang_getCanonicalType(declared);
        IntPtr r = Clang.clang_Cursor_Evaluate(v);
        if (r == IntPtr.Zero)
        {
            reason = $"does not evaluate to a constant (type '{Clang.Spelling(declared)}')";
            return false;
        }
        try
        {
            CXEvalResultKind kind = Clang.clang_EvalResult_getKind(r);
            switch (kind)
            {
                case CXEvalResultKind.Int:
                {
                    string? p = Primitive(t);
                    if (p is null or "float" or "double")
                    {
                        reason = $"integer value of unsupported type '{Clang.Spelling(declared)}'";
                        return false;
                    }
                    csType = p;
                    bool unsigned = p is "byte" or "ushort" or "uint" or "ulong";
                    if (unsigned && !DecimalLiteral().IsMatch(definition))
                    {
                        ulong u = Clang.clang_EvalResult_getAsUnsigned(r);
                        literal = "0x" + u.ToString("X", CultureInfo.InvariantCulture) + Suffix(p);
                    }
                    else if (unsigned)
                    {
                        // Written in decimal in the header: keep the radix (the value is still clang's).
                        ulong u = Clang.clang_EvalResult_getAsUnsigned(r);
                        literal = u.ToString(CultureInfo.InvariantCulture) + Suffix(p);
                    }
                    else
                    {
                        long s = Clang.clang_EvalResult_getAsLongLong(r);
                        literal = s.ToString(CultureInfo.InvariantCulture) + Suffix(p);
                    }
                    return true;
                }
                case CXEvalResultKind.Float:
                {
                    double d = Clang.clang_EvalResult_getAsDouble(r);
                    if (t.Kind == CXTypeKind.Float)
                    {
                        csType = "float";
                        literal = ((float)d).ToString("R", CultureInfo.InvariantCulture) + "F";
                    }
                    else if (t.Kind == CXTypeKind.Double)
                    {
                        csType = "double";
                        literal = d.ToString("R", CultureInfo.InvariantCulture) + "D";
                    }
                    else
                    {
                        reason = $"floating value of unsupported type '{Clang.Spelling(declared)}'";
                        return false;
                    }
                    return true;
                }
                case CXEvalResultKind.StrLiteral:
                {
                    byte* s = Clang.clang_EvalResult_getAsStr(r);
                    csType = "string";
                    literal = CSharpString(Marshal.PtrToStringUTF8((IntPtr)s) ?? "");
                    return true;
                }
                default:
                    reason = $"evaluates to no supported constant (kind {kind}, type '{Clang.Spelling(declared)}')";
                    return false;
            }
        }
        finally
        {
            Clang.clang_EvalResult_dispose(r);
        }
    }

    private static string CSharpString(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char ch in s)
        {
            switch (ch)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                default:
                    if (ch < 0x20 || ch >= 0x7f)
                    {
                        sb.Append("\\u").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(ch);
                    }
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
