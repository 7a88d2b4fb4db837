namespace KernelShim.Harness.KernelConsole;

/// <summary>One recognised console line, with when it arrived and what it named.</summary>
public sealed record ConsoleEvent(ConsoleEventKind Kind, string Line, DateTimeOffset At, string Detail)
{
    public override string ToString() => $"{Kind}: {Detail}";
}
