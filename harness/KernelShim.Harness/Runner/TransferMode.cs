namespace KernelShim.Harness.Runner;

/// <summary>
/// How a VM's inputs and channels reach QEMU in the runner container.  A Docker engine on this
/// machine sees our files; one elsewhere (tcp://) does not, so everything has to go through its API.
/// </summary>
public enum TransferMode
{
    /// <summary>
    /// The work directory and the inputs are bind-mounted at their own paths; the host connects
    /// QEMU's unix sockets in the work directory itself.  Needs an engine that shares our file system.
    /// </summary>
    Bind,

    /// <summary>
    /// The inputs are uploaded into the created container (PUT /containers/{id}/archive) at their
    /// own paths; the work directory stays inside the container; the console and agent sockets are
    /// reached through <c>docker exec socat</c> streams.  Works with any engine the API reaches.
    /// </summary>
    Copy,
}
