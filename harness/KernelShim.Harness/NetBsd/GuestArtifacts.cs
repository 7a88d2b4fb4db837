namespace KernelShim.Harness.NetBsd;

/// <summary>What boots a NetBSD kernel for KernelShim: the agent, the module, the micro root and the boot ISO.</summary>
public sealed record GuestArtifacts(string Directory, string Agent, string Module, string RootImage, string BootIso, string Key, bool FromCache);
