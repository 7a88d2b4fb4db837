using System.Text;

namespace KernelShim.Harness.Machine;

/// <summary>The last few KiB of a process's output, thread-safe.</summary>
internal sealed class OutputTail(int capacity = 8192)
{
    private readonly StringBuilder _text = new();

    public void Append(string s)
    {
        lock (_text)
        {
            _text.Append(s);
            if (_text.Length > capacity) _text.Remove(0, _text.Length - capacity);
        }
    }

    public override string ToString()
    {
        lock (_text) return _text.ToString();
    }
}
