using System.CommandLine;

namespace KernelShim.Cli;

/// <summary>
/// Where VMs run: --endpoint (DOCKER_HOST-style URLs, checked at parse time) and, for commands
/// that run many VMs, repeatable --endpoint and --jobs.
/// </summary>
public sealed class EndpointOptions(bool many)
{
    private readonly Option<string[]> _endpoint = new("--endpoint")
    {
        Description = many
            ? "a Docker engine to run VMs on, DOCKER_HOST-style (unix:///path, tcp://host:port); repeat to spread the runs (default: $DOCKER_HOST or the local engine)"
            : "the Docker engine to run the VM on, DOCKER_HOST-style (default: $DOCKER_HOST or the local engine)",
        AllowMultipleArgumentsPerToken = false,
    };
    private readonly Option<int?> _jobs = new("--jobs") { Description = "at most this many VMs at once (default: as many as the engines' cores and memory hold)" };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(_endpoint);
        if (many) cmd.Options.Add(_jobs);
        cmd.Validators.Add(r =>
        {
            var endpoints = r.GetValue(_endpoint) ?? [];
            if (!many && endpoints.Length > 1) r.AddError("--endpoint: this command runs one VM on one engine");
            if (many && r.GetValue(_jobs) is < 1) r.AddError("--jobs must be at least 1");
            foreach (var e in endpoints)
                if (KernelShim.Cli.Endpoints.TryParse(e, out _) is { } error) r.AddError($"--endpoint {e}: {error}");
        });
    }

    public IReadOnlyList<string> Endpoints(ParseResult pr) => pr.GetValue(_endpoint) ?? [];

    public int? Jobs(ParseResult pr) => many ? pr.GetValue(_jobs) : null;
}
