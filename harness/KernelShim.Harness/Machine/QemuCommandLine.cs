namespace KernelShim.Harness.Machine;

/// <summary>
/// Builds qemu-system-x86_64's argument vector from a <see cref="MachineSpec"/>.
/// Serial port 0 (com0) is the kernel console on a mux chardev, so that the
/// harness can send a BREAK with the mux escape (Ctrl-A b); serial port 1
/// (com1) carries only agent frames.  Both sockets wait for the harness to
/// connect before the guest starts, so no console output is lost.
/// </summary>
public static class QemuCommandLine
{
    public const string Binary = "qemu-system-x86_64";

    public static IReadOnlyList<string> Build(MachineSpec spec)
    {
        var a = new List<string>
        {
            Binary, "-nodefaults", "-nographic", "-no-reboot",
            "-machine", "pc", "-accel", spec.Accel.QemuName,
            "-m", spec.MemoryMiB.ToString(), "-smp", spec.Cpus.ToString(),
            "-chardev", $"socket,id=con0,path={spec.ConsoleSocket},server=on,wait=on,mux=on",
            "-serial", "chardev:con0",
            "-chardev", $"socket,id=agent,path={spec.AgentSocket},server=on,wait=on",
            "-serial", "chardev:agent",
            "-qmp", $"unix:{spec.QmpSocket},server=on,wait=off",
            // SeaBIOS keeps off the serial console: what com0 shows is the guest's own.
            "-fw_cfg", "name=etc/sercon-port,string=0",
        };
        if (spec.Accel.Mode == AccelMode.Kvm) a.AddRange(["-cpu", "host"]);
        if (spec.Snapshot) a.Add("-snapshot");
        if (spec.DebugExitDevice) a.AddRange(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]);
        switch (spec.Boot)
        {
            case BootMethod.DirectKernel:
                a.AddRange(["-kernel", spec.BootImage]);
                if (spec.KernelCommandLine is { } cmdline) a.AddRange(["-append", cmdline]);
                break;
            case BootMethod.GrubIso:
                a.AddRange(["-drive", $"file={spec.BootImage},media=cdrom,if=ide,readonly=on", "-boot", "d"]);
                break;
            case BootMethod.DiskImage:
                a.AddRange(["-drive", $"file={spec.BootImage},format=raw,if=virtio"]);
                break;
        }
        foreach (var disk in spec.Disks)
            a.AddRange(["-drive", $"file={disk},format=raw,if=virtio"]);
        if (spec.RamFile is { } ram)
        {
            if (ram.Contains(',')) throw new MachineStartException($"QEMU cannot take a path with a comma: {ram}");
            a.AddRange(["-object", $"memory-backend-file,id=ram0,size={spec.MemoryMiB}M,mem-path={ram},share={(spec.RamShared ? "on" : "off")}",
                        "-machine", "memory-backend=ram0"]);
        }
        // What to load is said through QMP (capabilities must be set first).
        if (spec.IncomingState is not null) a.AddRange(["-incoming", "defer"]);
        return a;
    }

    /// <summary>The URI QEMU loads a saved state from (through /bin/sh: the path is quoted).</summary>
    public static string IncomingUri(string state)
    {
        if (state.Contains('\'')) throw new MachineStartException($"a saved state path cannot contain a quote: {state}");
        return $"exec:cat '{state}'";
    }
}
