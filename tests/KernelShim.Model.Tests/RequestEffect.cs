namespace KernelShim.Model.Tests;

/// <summary>
/// What one map or unmap request did to a map's entry accounting: the outcome
/// ("new", "back", "forw", "bi") or the clips ("clips=N"), entries allocated,
/// those allocated while the map was write-locked, entries freed, and clips
/// served by a parked or reserved entry (stats reserve_uses).
/// </summary>
public readonly record struct RequestEffect(string What, ulong Allocs, ulong Locked, ulong Frees, ulong ParkUses)
{
    public override string ToString() => $"{What}: allocs {Allocs}, locked {Locked}, frees {Frees}, park/reserve uses {ParkUses}";
}
