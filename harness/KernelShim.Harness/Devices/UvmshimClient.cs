using System.Runtime.InteropServices;
using KernelShim.Bindings;

namespace KernelShim.Harness.Devices;

/// <summary>
/// Typed calls over any <see cref="IUvmshimDevice"/>: one method per ioctl,
/// throwing <see cref="UvmshimException"/> on an errno.  Tests that want the
/// errno itself call <see cref="IUvmshimDevice.Ioctl"/> directly.
/// </summary>
public sealed class UvmshimClient(IUvmshimDevice device)
{
    public IUvmshimDevice Device { get; } = device;

    public uvmshim_version Version()
    {
        var v = new uvmshim_version();
        Check("VERSION", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_VERSION, ref v));
        return v;
    }

    /// <summary>A fresh test map of <paramref name="size"/> bytes; returns its id.</summary>
    public uint CreateMap(ulong size, uvmshim_policy policy)
    {
        var req = new uvmshim_map_create { size = size, policy = (uint)policy };
        Check("MAP_CREATE", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_MAP_CREATE, ref req));
        return req.map_id;
    }

    public void DestroyMap(uint mapId)
    {
        var req = new uvmshim_map_ref { map_id = mapId };
        Check("MAP_DESTROY", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_MAP_DESTROY, ref req));
    }

    public uvmshim_map_req Map(uint mapId, ulong addr, ulong size, uint prot = UvmshimIoctl.UVMSHIM_PROT_READ | UvmshimIoctl.UVMSHIM_PROT_WRITE, uint flags = 0)
    {
        var req = new uvmshim_map_req { map_id = mapId, addr = addr, size = size, prot = prot, flags = flags };
        Check("MAP", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_MAP, ref req));
        return req;
    }

    public uvmshim_unmap_req Unmap(uint mapId, ulong start, ulong end)
    {
        var req = new uvmshim_unmap_req { map_id = mapId, start = start, end = end };
        Check("UNMAP", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_UNMAP, ref req));
        return req;
    }

    public uvmshim_lookup Lookup(uint mapId, ulong addr)
    {
        var req = new uvmshim_lookup { map_id = mapId, addr = addr };
        Check("LOOKUP", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_LOOKUP, ref req));
        return req;
    }

    /// <summary>
    /// Run an op script; returns one header (counts, time and digest over
    /// every piece) and the per-op results.  Scripts longer than the device's
    /// <see cref="IUvmshimDevice.PreferredBatchOps"/> go in several ioctls;
    /// with STOP_ON_ERROR the first failing piece ends the script.
    /// </summary>
    public (uvmshim_batch Batch, uvmshim_op_result[] Results) Batch(uint mapId, ReadOnlySpan<uvmshim_op> ops, uint flags = 0)
    {
        var results = new uvmshim_op_result[ops.Length];
        var total = RunPieces(mapId, ops, ops.Length, flags, results);
        return (total, results);
    }

    /// <summary>
    /// Run an op script and bring back only its digest (kshim_digest.h): the
    /// results stay in the target, and nothing but the header crosses the line.
    /// </summary>
    public uvmshim_batch BatchDigest(uint mapId, ReadOnlySpan<uvmshim_op> ops, uint flags = 0) =>
        RunPieces<uvmshim_op_result>(mapId, ops, ops.Length, flags, null);

    /// <summary>
    /// A random script the target makes itself from <paramref name="seed"/>
    /// (GENERATE: <see cref="Scenarios.RandomScript"/> gives the same ops on the
    /// host); only the digest comes back, or every result when
    /// <paramref name="results"/> is given room.
    /// </summary>
    public uvmshim_batch BatchGenerated(uint mapId, long seed, int count, uint maxPages, uvmshim_op_result[]? results = null)
    {
        var total = new uvmshim_batch { map_id = mapId, nops = (uint)count, flags = UvmshimIoctl.UVMSHIM_BATCHF_GENERATE, gen_state = (ulong)seed };
        for (int at = 0; at < count; at += PieceOps)
            RunPiece(ref total, new uvmshim_batch { gen_state = total.gen_state, gen_max_pages = maxPages }, at, Math.Min(PieceOps, count - at), null, results);
        return total;
    }

    /// <summary>Run one op <paramref name="count"/> times (REPEAT): the op crosses the line once per piece.</summary>
    public (uvmshim_batch Batch, uvmshim_op_brief[] Results) RepeatBrief(uint mapId, uvmshim_op op, int count)
    {
        var results = new uvmshim_op_brief[count];
        var total = RunPieces(mapId, [op], count, UvmshimIoctl.UVMSHIM_BATCHF_REPEAT | UvmshimIoctl.UVMSHIM_BATCHF_BRIEF, results);
        return (total, results);
    }

    /// <summary>
    /// Run one op at each of <paramref name="addrs"/> (REPEAT with AT): 8 bytes an
    /// op cross the line instead of 32.  Brief results come back when
    /// <paramref name="results"/> has room for them, else only the header and digest.
    /// </summary>
    public uvmshim_batch RepeatAt(uint mapId, uvmshim_op op, ReadOnlySpan<ulong> addrs, uvmshim_op_brief[]? results = null)
    {
        uint flags = UvmshimIoctl.UVMSHIM_BATCHF_REPEAT | UvmshimIoctl.UVMSHIM_BATCHF_AT | UvmshimIoctl.UVMSHIM_BATCHF_BRIEF;
        var total = new uvmshim_batch { map_id = mapId, nops = (uint)addrs.Length, flags = flags };
        var head = MemoryMarshal.AsBytes(new ReadOnlySpan<uvmshim_op>(in op));
        for (int at = 0; at < addrs.Length; at += PieceOps)
        {
            int n = Math.Min(PieceOps, addrs.Length - at);
            var data = new byte[head.Length + n * sizeof(ulong)];
            head.CopyTo(data);
            MemoryMarshal.AsBytes(addrs.Slice(at, n)).CopyTo(data.AsSpan(head.Length));
            RunPiece(ref total, new uvmshim_batch(), at, n, new DeviceBuffer(OpsOffset, BufferDirection.In, data), results);
        }
        return total;
    }

    /// <summary>
    /// The script in pieces of at most PreferredBatchOps ops, each piece's
    /// digest going on from the last, so the total digest is the one an
    /// unsplit script gives.  With REPEAT, <paramref name="ops"/> is the one op.
    /// </summary>
    private uvmshim_batch RunPieces<TResult>(uint mapId, ReadOnlySpan<uvmshim_op> ops, int count, uint flags, TResult[]? results)
        where TResult : unmanaged
    {
        bool repeat = (flags & UvmshimIoctl.UVMSHIM_BATCHF_REPEAT) != 0;
        var total = new uvmshim_batch { map_id = mapId, nops = (uint)count, flags = flags };
        for (int at = 0; at < count || count == 0; at += PieceOps)
        {
            int n = Math.Min(PieceOps, count - at);
            var opsBuf = DeviceBuffer.Of<uvmshim_batch, uvmshim_op>(nameof(uvmshim_batch.ops), BufferDirection.In, repeat ? ops : ops.Slice(at, n));
            var piece = RunPiece(ref total, new uvmshim_batch(), at, n, opsBuf, results);
            if (count == 0 || ((flags & UvmshimIoctl.UVMSHIM_BATCHF_STOP_ON_ERROR) != 0 && piece.nerrors != 0)) break;
        }
        return total;
    }

    private int PieceOps => Math.Max(1, Device.PreferredBatchOps);

    private static readonly int OpsOffset = (int)Marshal.OffsetOf<uvmshim_batch>(nameof(uvmshim_batch.ops));

    /// <summary>
    /// One ioctl of a script sent in pieces: <paramref name="piece"/> (its own fields, such as the
    /// generator's) gets the script's map, flags and digest so far; its results go into
    /// <paramref name="results"/> at <paramref name="at"/>; its counts, digest and generator state
    /// into <paramref name="total"/>.
    /// </summary>
    private uvmshim_batch RunPiece<TResult>(ref uvmshim_batch total, uvmshim_batch piece, int at, int n, DeviceBuffer? ops, TResult[]? results)
        where TResult : unmanaged
    {
        piece.map_id = total.map_id;
        piece.nops = (uint)n;
        piece.flags = total.flags;
        piece.digest = total.digest;
        var resBuf = results is null ? null : DeviceBuffer.Room<uvmshim_batch, TResult>(nameof(uvmshim_batch.results), n);
        DeviceBuffer[] buffers = [.. new[] { ops, resBuf }.OfType<DeviceBuffer>()];
        Check("BATCH", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_BATCH, ref piece, buffers));
        resBuf?.As<TResult>().CopyTo(results!, at);
        total.ndone += piece.ndone;
        total.nerrors += piece.nerrors;
        total.nsec += piece.nsec;
        total.digest = piece.digest;
        total.gen_state = piece.gen_state;
        return piece;
    }

    public uvmshim_stats Stats(uint mapId, bool reset = false)
    {
        var req = new uvmshim_stats { map_id = mapId, flags = reset ? UvmshimIoctl.UVMSHIM_STATSF_RESET : 0 };
        Check("STATS", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_STATS, ref req));
        return req;
    }

    /// <summary>The map's entry count and the digest of its entries (kshim_digest.h), without the entries.</summary>
    public (uint Entries, ulong Digest) DumpDigest(uint mapId)
    {
        var req = new uvmshim_dump { map_id = mapId, flags = UvmshimIoctl.UVMSHIM_DUMPF_DIGEST };
        Check("DUMP", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_DUMP, ref req));
        return (req.nentries, req.digest);
    }

    /// <summary>Every entry of the map, in address order.</summary>
    public uvmshim_entry[] Dump(uint mapId)
    {
        var count = new uvmshim_dump { map_id = mapId };
        Check("DUMP", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_DUMP, ref count));
        // The map cannot change between the two calls: one client, one thread.
        var req = new uvmshim_dump { map_id = mapId, capacity = count.nentries };
        if (count.nentries == 0) return [];
        var buf = DeviceBuffer.Room<uvmshim_dump, uvmshim_entry>(nameof(uvmshim_dump.entries), (int)count.nentries);
        Check("DUMP", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_DUMP, ref req, buf));
        return buf.As<uvmshim_entry>()[..(int)req.ncopied];
    }

    public uvmshim_pressure Pressure(uvmshim_pressure_cmd cmd, ulong npages = 0, uint flags = 0)
    {
        var req = new uvmshim_pressure { cmd = (uint)cmd, npages = npages, flags = flags };
        Check("PRESSURE", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_PRESSURE, ref req));
        return req;
    }

    public uvmshim_cycle Cycle(uvmshim_policy policy, uint boundMs, uint holdMs, uint npages, bool recover = true)
    {
        var req = new uvmshim_cycle
        {
            policy = (uint)policy, bound_ms = boundMs, hold_ms = holdMs, npages = npages,
            flags = recover ? UvmshimIoctl.UVMSHIM_CYCLEF_RECOVER : 0,
        };
        Check("CYCLE", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_CYCLE, ref req));
        return req;
    }

    public uvmshim_stress Stress(uint mapId, uint threads, uint durationMs, uint seed, uint maxPages)
    {
        var req = new uvmshim_stress
        {
            map_id = mapId, nthreads = threads, duration_ms = durationMs, seed = seed, max_pages = maxPages,
        };
        Check("STRESS", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_STRESS, ref req));
        return req;
    }

    public uvmshim_kmap_summary KernelMapSummary()
    {
        var req = new uvmshim_kmap_summary();
        Check("KMAP_SUMMARY", Device.Ioctl(UvmshimIoctl.UVMSHIM_IOC_KMAP_SUMMARY, ref req));
        return req;
    }

    private static void Check(string op, int errno)
    {
        if (errno != 0) throw new UvmshimException(op, errno);
    }
}
