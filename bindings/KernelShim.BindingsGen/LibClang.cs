// Minimal P/Invoke surface of libclang's C API (clang-c/Index.h), just what the
// generator needs.  Layouts follow Index.h for LP64.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KernelShim.BindingsGen;

[StructLayout(LayoutKind.Sequential)]
internal struct CXString
{
    public IntPtr Data;
    public uint PrivateFlags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXCursor
{
    public CXCursorKind Kind;
    public int Xdata;
    public IntPtr Data0;
    public IntPtr Data1;
    public IntPtr Data2;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXType
{
    public CXTypeKind Kind;
    public IntPtr Data0;
    public IntPtr Data1;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXSourceLocation
{
    public IntPtr Ptr0;
    public IntPtr Ptr1;
    public uint IntData;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXSourceRange
{
    public IntPtr Ptr0;
    public IntPtr Ptr1;
    public uint BeginIntData;
    public uint EndIntData;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CXUnsavedFile
{
    public IntPtr Filename;
    public IntPtr Contents;
    public nuint Length;
}

internal enum CXCursorKind
{
    StructDecl = 2,
    UnionDecl = 3,
    EnumDecl = 5,
    FieldDecl = 6,
    EnumConstantDecl = 7,
    FunctionDecl = 8,
    VarDecl = 9,
    ParmDecl = 10,
    TypedefDecl = 20,
    MacroDefinition = 501,
}

internal enum CXTypeKind
{
    Invalid = 0,
    Unexposed = 1,
    Void = 2,
    Bool = 3,
    Char_U = 4,
    UChar = 5,
    Char16 = 6,
    Char32 = 7,
    UShort = 8,
    UInt = 9,
    ULong = 10,
    ULongLong = 11,
    UInt128 = 12,
    Char_S = 13,
    SChar = 14,
    WChar = 15,
    Short = 16,
    Int = 17,
    Long = 18,
    LongLong = 19,
    Int128 = 20,
    Float = 21,
    Double = 22,
    LongDouble = 23,
    Pointer = 101,
    Record = 105,
    Enum = 106,
    Typedef = 107,
    FunctionNoProto = 110,
    FunctionProto = 111,
    ConstantArray = 112,
    IncompleteArray = 114,
    VariableArray = 115,
    Elaborated = 119,
}

internal enum CXDiagnosticSeverity
{
    Ignored = 0,
    Note = 1,
    Warning = 2,
    Error = 3,
    Fatal = 4,
}

internal enum CXEvalResultKind
{
    UnExposed = 0,
    Int = 1,
    Float = 2,
    ObjCStrLiteral = 3,
    StrLiteral = 4,
    CFStr = 5,
    Other = 6,
}

internal enum CXChildVisitResult
{
    Break = 0,
    Continue = 1,
    Recurse = 2,
}

internal static unsafe partial class Clang
{
    private const string Lib = "libclang";

    public const uint CXTranslationUnit_DetailedPreprocessingRecord = 0x01;
    public const uint CXTranslationUnit_KeepGoing = 0x200;

    [DllImport(Lib)] public static extern IntPtr clang_createIndex(int excludeDeclarationsFromPCH, int displayDiagnostics);
    [DllImport(Lib)] public static extern void clang_disposeIndex(IntPtr index);

    [DllImport(Lib)]
    public static extern int clang_parseTranslationUnit2(IntPtr index, byte* sourceFilename, byte** commandLineArgs,
        int numCommandLineArgs, CXUnsavedFile* unsavedFiles, uint numUnsavedFiles, uint options, IntPtr* outTu);

    [DllImport(Lib)] public static extern void clang_disposeTranslationUnit(IntPtr tu);

    [DllImport(Lib)] public static extern uint clang_getNumDiagnostics(IntPtr tu);
    [DllImport(Lib)] public static extern IntPtr clang_getDiagnostic(IntPtr tu, uint index);
    [DllImport(Lib)] public static extern void clang_disposeDiagnostic(IntPtr diagnostic);
    [DllImport(Lib)] public static extern CXDiagnosticSeverity clang_getDiagnosticSeverity(IntPtr diagnostic);
    [DllImport(Lib)] public static extern CXSourceLocation clang_getDiagnosticLocation(IntPtr diagnostic);
    [DllImport(Lib)] public static extern CXString clang_getDiagnosticSpelling(IntPtr diagnostic);

    [DllImport(Lib)] public static extern byte* clang_getCString(CXString str);
    [DllImport(Lib)] public static extern void clang_disposeString(CXString str);

    [DllImport(Lib)] public static extern CXCursor clang_getTranslationUnitCursor(IntPtr tu);
    [DllImport(Lib)]
    public static extern uint clang_visitChildren(CXCursor parent,
        delegate* unmanaged[Cdecl]<CXCursor, CXCursor, IntPtr, CXChildVisitResult> visitor, IntPtr clientData);

    [DllImport(Lib)] public static extern CXString clang_getCursorSpelling(CXCursor cursor);
    [DllImport(Lib)] public static extern CXSourceLocation clang_getCursorLocation(CXCursor cursor);
    [DllImport(Lib)] public static extern CXSourceRange clang_getCursorExtent(CXCursor cursor);
    [DllImport(Lib)] public static extern uint clang_isCursorDefinition(CXCursor cursor);
    [DllImport(Lib)] public static extern CXType clang_getCursorType(CXCursor cursor);
    [DllImport(Lib)] public static extern CXType clang_getCursorResultType(CXCursor cursor);
    [DllImport(Lib)] public static extern int clang_Cursor_getNumArguments(CXCursor cursor);
    [DllImport(Lib)] public static extern CXCursor clang_Cursor_getArgument(CXCursor cursor, uint index);
    [DllImport(Lib)] public static extern uint clang_Cursor_isBitField(CXCursor cursor);
    [DllImport(Lib)] public static extern uint clang_Cursor_isAnonymous(CXCursor cursor);
    [DllImport(Lib)] public static extern uint clang_Cursor_isMacroFunctionLike(CXCursor cursor);
    [DllImport(Lib)] public static extern CXType clang_getEnumDeclIntegerType(CXCursor cursor);
    [DllImport(Lib)] public static extern long clang_getEnumConstantDeclValue(CXCursor cursor);
    [DllImport(Lib)] public static extern ulong clang_getEnumConstantDeclUnsignedValue(CXCursor cursor);

    [DllImport(Lib)] public static extern int clang_Location_isFromMainFile(CXSourceLocation location);
    [DllImport(Lib)] public static extern int clang_Location_isInSystemHeader(CXSourceLocation location);
    [DllImport(Lib)]
    public static extern void clang_getSpellingLocation(CXSourceLocation location, IntPtr* file, uint* line,
        uint* column, uint* offset);
    [DllImport(Lib)]
    public static extern void clang_getExpansionLocation(CXSourceLocation location, IntPtr* file, uint* line,
        uint* column, uint* offset);
    [DllImport(Lib)] public static extern CXString clang_getFileName(IntPtr file);
    [DllImport(Lib)] public static extern CXSourceLocation clang_getRangeStart(CXSourceRange range);
    [DllImport(Lib)] public static extern CXSourceLocation clang_getRangeEnd(CXSourceRange range);

    [DllImport(Lib)] public static extern CXType clang_getCanonicalType(CXType type);
    [DllImport(Lib)] public static extern CXString clang_getTypeSpelling(CXType type);
    [DllImport(Lib)] public static extern long clang_Type_getSizeOf(CXType type);
    [DllImport(Lib)] public static extern long clang_Type_getOffsetOf(CXType type, byte* fieldName);
    [DllImport(Lib)] public static extern CXType clang_getPointeeType(CXType type);
    [DllImport(Lib)] public static extern CXType clang_getArrayElementType(CXType type);
    [DllImport(Lib)] public static extern long clang_getArraySize(CXType type);
    [DllImport(Lib)] public static extern CXCursor clang_getTypeDeclaration(CXType type);
    [DllImport(Lib)] public static extern uint clang_isFunctionTypeVariadic(CXType type);

    [DllImport(Lib)] public static extern IntPtr clang_Cursor_Evaluate(CXCursor cursor);
    [DllImport(Lib)] public static extern CXEvalResultKind clang_EvalResult_getKind(IntPtr result);
    [DllImport(Lib)] public static extern uint clang_EvalResult_isUnsignedInt(IntPtr result);
    [DllImport(Lib)] public static extern ulong clang_EvalResult_getAsUnsigned(IntPtr result);
    [DllImport(Lib)] public static extern long clang_EvalResult_getAsLongLong(IntPtr result);
    [DllImport(Lib)] public static extern double clang_EvalResult_getAsDouble(IntPtr result);
    [DllImport(Lib)] public static extern byte* clang_EvalResult_getAsStr(IntPtr result);
    [DllImport(Lib)] public static extern void clang_EvalResult_dispose(IntPtr result);

    // ---- helpers -------------------------------------------------------

    public static string ToManaged(CXString s)
    {
        try
        {
            byte* p = clang_getCString(s);
            return p == null ? "" : Marshal.PtrToStringUTF8((IntPtr)p) ?? "";
        }
        finally
        {
            clang_disposeString(s);
        }
    }

    public static string Spelling(CXCursor c) => ToManaged(clang_getCursorSpelling(c));

    public static string Spelling(CXType t) => ToManaged(clang_getTypeSpelling(t));

    public static (string File, uint Line, uint Column, uint Offset) Where(CXSourceLocation loc)
    {
        IntPtr file;
        uint line, column, offset;
        clang_getSpellingLocation(loc, &file, &line, &column, &offset);
        string name = file == IntPtr.Zero ? "" : ToManaged(clang_getFileName(file));
        return (name, line, column, offset);
    }

    /// <summary>Where a macro expansion was written (not where the macro's tokens were spelled).</summary>
    public static (string File, uint Line) ExpansionWhere(CXSourceLocation loc)
    {
        IntPtr file;
        uint line, column, offset;
        clang_getExpansionLocation(loc, &file, &line, &column, &offset);
        string name = file == IntPtr.Zero ? "" : ToManaged(clang_getFileName(file));
        return (name, line);
    }

    public static List<CXCursor> Children(CXCursor parent)
    {
        var list = new List<CXCursor>();
        var handle = GCHandle.Alloc(list);
        try
        {
            clang_visitChildren(parent, &CollectChild, GCHandle.ToIntPtr(handle));
        }
        finally
        {
            handle.Free();
        }
        return list;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static CXChildVisitResult CollectChild(CXCursor cursor, CXCursor parent, IntPtr clientData)
    {
        var list = (List<CXCursor>)GCHandle.FromIntPtr(clientData).Target!;
        list.Add(cursor);
        return CXChildVisitResult.Continue;
    }
}
