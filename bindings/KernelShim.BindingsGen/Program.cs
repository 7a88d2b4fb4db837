namespace KernelShim.BindingsGen;

internal static class Program
{
    private static int Main(string[] args) => Generator.Run(args, Console.Out, Console.Error);
}
