using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace KernelShim.Bindings.Tests;

/// <summary>
/// Turns what the compiled C# bindings say (measured by reflection and the
/// runtime: Marshal.SizeOf/OffsetOf, Unsafe.SizeOf, constant values) into a C
/// file of _Static_asserts, for clang to hold against the real headers.
/// Nothing here reads the generator or its output text.
/// </summary>
internal static class AbiCheck
{
    public const string Namespace = "KernelShim.Bindings";

    public static Assembly BindingsAssembly => typeof(UvmshimIoctl).Assembly;

    public static IEnumerable<Type> Structs =>
        BindingsAssembly.GetTypes()
            .Where(t => t.Namespace == Namespace && t.IsValueType && !t.IsEnum && !t.IsNested)
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    public static IEnumerable<Type> Enums =>
        BindingsAssembly.GetTypes()
            .Where(t => t.Namespace == Namespace && t.IsEnum)
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    public static IEnumerable<Type> Classes =>
        BindingsAssembly.GetTypes()
            .Where(t => t.Namespace == Namespace && t.IsClass && t.IsAbstract && t.IsSealed && !t.IsNested)
            .OrderBy(t => t.Name, StringComparer.Ordinal);

    public static IEnumerable<FieldInfo> Constants(Type cls) =>
        cls.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).OrderBy(f => f.MetadataToken);

    public static IEnumerable<MethodInfo> Imports(Type cls) =>
        cls.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => (m.Attributes & MethodAttributes.PinvokeImpl) != 0)
            .OrderBy(m => m.MetadataToken);

    public static IEnumerable<FieldInfo> Fields(Type s) =>
        s.GetFields(BindingFlags.Public | BindingFlags.Instance).OrderBy(f => Marshal.OffsetOf(s, f.Name).ToInt64());

    public static int ManagedSize(Type t) =>
        (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(t).Invoke(null, null)!;

    /// <summary>Size in bytes of one field as C# lays it out, and (for fixed buffers) its element type and count.</summary>
    public static (long Size, Type Element, int Count) FieldShape(FieldInfo f)
    {
        if (f.GetCustomAttribute<FixedBufferAttribute>() is { } fb)
        {
            return ((long)Marshal.SizeOf(fb.ElementType) * fb.Length, fb.ElementType, fb.Length);
        }
        Type t = f.FieldType.IsEnum ? Enum.GetUnderlyingType(f.FieldType) : f.FieldType;
        return (Marshal.SizeOf(t), f.FieldType, 0);
    }

    /// <summary>C types a C# field, element or constant type stands for (any one of them is right).</summary>
    public static string[] CTypesOf(Type t)
    {
        if (t.IsEnum)
        {
            return [$"enum {t.Name}"];
        }
        if (t.IsValueType && !t.IsPrimitive)
        {
            return [$"struct {t.Name}"];
        }
        return Type.GetTypeCode(t) switch
        {
            TypeCode.SByte => ["char", "signed char"],
            TypeCode.Byte => ["unsigned char"],
            TypeCode.Int16 => ["short"],
            TypeCode.UInt16 => ["unsigned short"],
            TypeCode.Int32 => ["int"],
            TypeCode.UInt32 => ["unsigned int"],
            TypeCode.Int64 => ["long", "long long"],
            TypeCode.UInt64 => ["unsigned long", "unsigned long long"],
            TypeCode.Single => ["float"],
            TypeCode.Double => ["double"],
            _ => throw new NotSupportedException($"no C type for {t}"),
        };
    }

    /// <summary>The exact-width C spelling of a C# parameter or return type, with the const variants of a pointer.</summary>
    public static string[] CParamTypes(Type t)
    {
        if (t.IsPointer)
        {
            Type e = t.GetElementType()!;
            string inner = e == typeof(void) ? "void" : CParamTypes(e)[0];
            return [inner + " *", "const " + inner + " *"];
        }
        if (t == typeof(void))
        {
            return ["void"];
        }
        if (t.IsEnum || (t.IsValueType && !t.IsPrimitive))
        {
            return CTypesOf(t);
        }
        return Type.GetTypeCode(t) switch
        {
            TypeCode.SByte => ["int8_t"],
            TypeCode.Byte => ["uint8_t"],
            TypeCode.Int16 => ["int16_t"],
            TypeCode.UInt16 => ["uint16_t"],
            TypeCode.Int32 => ["int32_t"],
            TypeCode.UInt32 => ["uint32_t"],
            TypeCode.Int64 => ["int64_t"],
            TypeCode.UInt64 => ["uint64_t"],
            TypeCode.Single => ["float"],
            TypeCode.Double => ["double"],
            _ => throw new NotSupportedException($"no C type for parameter type {t}"),
        };
    }

    public static string CLiteral(object value) => value switch
    {
        int i => i == int.MinValue ? "(-2147483647 - 1)" : i < 0 ? $"({i.ToString(CultureInfo.InvariantCulture)})" : i.ToString(CultureInfo.InvariantCulture),
        uint u => u.ToString(CultureInfo.InvariantCulture) + "u",
        long l => l == long.MinValue ? "(-9223372036854775807ll - 1)" : $"({l.ToString(CultureInfo.InvariantCulture)}ll)",
        ulong u => u.ToString(CultureInfo.InvariantCulture) + "ull",
        short or ushort or byte or sbyte => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture) + "f",
        string s => CString(s),
        _ => throw new NotSupportedException($"no C literal for {value.GetType()}"),
    };

    public static string CString(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (byte b in Encoding.UTF8.GetBytes(s))
        {
            if (b == '"' || b == '\\')
            {
                sb.Append('\\').Append((char)b);
            }
            else if (b < 0x20 || b >= 0x7f || b == '?')
            {
                sb.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0'));
            }
            else
            {
                sb.Append((char)b);
            }
        }
        return sb.Append('"').ToString();
    }

    private static string Msg(string text) => CString(text);

    /// <summary>The C file: one _Static_assert per fact the bindings state.</summary>
    public static string BuildStaticAsserts()
    {
        var c = new StringBuilder();
        c.Append("/* Generated by KernelShim.Bindings.Tests from the compiled C# bindings. */\n");
        c.Append("#include <stddef.h>\n#include <stdint.h>\n");
        foreach (string h in Repo.Headers)
        {
            c.Append($"#include \"{h}\"\n");
        }
        c.Append('\n');

        foreach (Type s in Structs)
        {
            string tag = $"struct {s.Name}";
            int marshalSize = Marshal.SizeOf(s);
            int managedSize = ManagedSize(s);
            if (marshalSize != managedSize)
            {
                throw new InvalidOperationException($"{s.Name}: Marshal.SizeOf {marshalSize} != Unsafe.SizeOf {managedSize}");
            }
            c.Append($"_Static_assert(sizeof({tag}) == {marshalSize}, {Msg($"sizeof({tag}) == {marshalSize} (C# {s.Name})")});\n");
            foreach (FieldInfo f in Fields(s))
            {
                long offset = Marshal.OffsetOf(s, f.Name).ToInt64();
                var (size, element, count) = FieldShape(f);
                string member = $"(({tag} *)0)->{f.Name}";
                c.Append($"_Static_assert(offsetof({tag}, {f.Name}) == {offset}, {Msg($"offsetof({tag}, {f.Name}) == {offset} (C# {s.Name}.{f.Name})")});\n");
                c.Append($"_Static_assert(sizeof({member}) == {size}, {Msg($"sizeof {s.Name}.{f.Name} == {size}")});\n");
                string probe = count > 0 ? $"{member}[0]" : member;
                string[] ctypes = CTypesOf(element);
                c.Append($"_Static_assert(_Generic({probe}, {string.Join(", ", ctypes.Select(t => t + ": 1"))}, default: 0), ")
                    .Append(Msg($"type of {s.Name}.{f.Name}{(count > 0 ? "[]" : "")} is {string.Join(" or ", ctypes)}")).Append(");\n");
                if (count > 0)
                {
                    c.Append($"_Static_assert(sizeof({member}) / sizeof({member}[0]) == {count}, {Msg($"{s.Name}.{f.Name} has {count} elements")});\n");
                }
            }
            c.Append('\n');
        }

        foreach (Type e in Enums)
        {
            string tag = $"enum {e.Name}";
            Type u = Enum.GetUnderlyingType(e);
            string[] ctypes = CTypesOf(u);
            c.Append($"_Static_assert(sizeof({tag}) == {Marshal.SizeOf(u)}, {Msg($"sizeof({tag}) == {Marshal.SizeOf(u)}")});\n");
            c.Append($"_Static_assert(_Generic(({tag})0, {string.Join(", ", ctypes.Select(t => t + ": 1"))}, default: 0), ")
                .Append(Msg($"{tag} is compatible with {string.Join(" or ", ctypes)} (C# : {u.Name})")).Append(");\n");
            foreach (FieldInfo m in e.GetFields(BindingFlags.Public | BindingFlags.Static).OrderBy(f => f.MetadataToken))
            {
                object v = Convert.ChangeType(m.GetRawConstantValue()!, u, CultureInfo.InvariantCulture);
                string lit = CLiteral(v);
                c.Append($"_Static_assert({m.Name} == {lit}, {Msg($"{m.Name} == {lit} (C# {e.Name}.{m.Name})")});\n");
            }
            c.Append('\n');
        }

        foreach (Type cls in Classes)
        {
            foreach (FieldInfo k in Constants(cls))
            {
                object v = k.GetRawConstantValue()!;
                string lit = CLiteral(v);
                if (v is string s)
                {
                    c.Append($"_Static_assert(sizeof({k.Name}) == sizeof({lit}) && __builtin_memcmp({k.Name}, {lit}, sizeof({lit})) == 0, ")
                        .Append(Msg($"{k.Name} == {lit} (C# {cls.Name}.{k.Name})")).Append(");\n");
                    continue;
                }
                string[] ctypes = CTypesOf(k.FieldType);
                c.Append($"_Static_assert(({k.Name}) == {lit}, {Msg($"{k.Name} == {lit} (C# {cls.Name}.{k.Name})")});\n");
                c.Append($"_Static_assert(_Generic(({k.Name}), {string.Join(", ", ctypes.Select(t => t + ": 1"))}, default: 0), ")
                    .Append(Msg($"type of {k.Name} is {string.Join(" or ", ctypes)} (C# {k.FieldType.Name})")).Append(");\n");
            }
            foreach (MethodInfo m in Imports(cls))
            {
                string ret = CParamTypes(m.ReturnType)[0];
                List<string[]> ps = m.GetParameters().Select(p => CParamTypes(p.ParameterType)).ToList();
                var variants = new List<string> { "" };
                foreach (string[] alternatives in ps)
                {
                    variants = variants.SelectMany(prefix => alternatives.Select(a => prefix.Length == 0 ? a : prefix + ", " + a)).ToList();
                }
                var fnTypes = variants.Select(v => $"{ret} (*)({(ps.Count == 0 ? "void" : v)})").ToList();
                c.Append($"_Static_assert(_Generic(&{m.Name}, {string.Join(", ", fnTypes.Select(t => t + ": 1"))}, default: 0), ")
                    .Append(Msg($"signature of {m.Name} is {ret} ({string.Join(", ", ps.Select(p => p[0]))}), up to const (C# {cls.Name}.{m.Name})"))
                    .Append(");\n");
            }
            c.Append('\n');
        }
        return c.ToString();
    }
}
