using System.Runtime.InteropServices;
using KernelShim.Bindings;

namespace KernelShim.Harness.Devices;

/// <summary>
/// The host reference model (libkshim_model.so) through the generated
/// DllImports.  "User pointers" are host pointers here: buffers are pinned
/// for the duration of the call.
/// </summary>
public sealed unsafe class ModelDevice : IUvmshimDevice
{
    private ulong _handle;

    public ModelDevice(kshim_model_config? config = null)
    {
        NativeLibraries.EnsureResolver();
        ulong handle;
        int rc;
        if (config is { } c)
            rc = KshimModel.kshim_model_open(&c, &handle);
        else
            rc = KshimModel.kshim_model_open(null, &handle);
        if (rc != 0)
            throw new UvmshimException("kshim_model_open", rc);
        _handle = handle;
    }

    public DeviceKind Kind => DeviceKind.Model;

    public string Description => "model (libkshim_model, in-process)";

    public int PreferredBatchOps => (int)UvmshimIoctl.UVMSHIM_MAX_BATCH_OPS;

    public int Ioctl<T>(uint cmd, ref T arg, params DeviceBuffer[] buffers) where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        var pins = new GCHandle[buffers.Length];
        var saved = new ulong[buffers.Length];
        try
        {
            fixed (T* p = &arg)
            {
                var argBytes = new Span<byte>(p, sizeof(T));
                for (int i = 0; i < buffers.Length; i++)
                {
                    pins[i] = GCHandle.Alloc(buffers[i].Data, GCHandleType.Pinned);
                    var field = argBytes.Slice(buffers[i].PointerOffset, 8);
                    saved[i] = MemoryMarshal.Read<ulong>(field);
                    ulong addr = (ulong)pins[i].AddrOfPinnedObject();
                    MemoryMarshal.Write(field, in addr);
                }
                int rc = KshimModel.kshim_model_ioctl(_handle, cmd, p);
                for (int i = 0; i < buffers.Length; i++)
                    MemoryMarshal.Write(argBytes.Slice(buffers[i].PointerOffset, 8), in saved[i]);
                return rc;
            }
        }
        finally
        {
            foreach (var pin in pins)
                if (pin.IsAllocated) pin.Free();
        }
    }

    public void Dispose()
    {
        if (_handle != 0)
        {
            KshimModel.kshim_model_close(_handle);
            _handle = 0;
        }
    }
}
