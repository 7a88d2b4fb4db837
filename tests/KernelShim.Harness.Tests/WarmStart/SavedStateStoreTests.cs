using KernelShim.Harness.WarmStart;
using NUnit.Framework;

namespace KernelShim.Harness.Tests.WarmStart;

[TestFixture, Category("Unit")]
public class SavedStateStoreTests
{
    private string _root = "";

    [SetUp]
    public void Fresh() => _root = Directory.CreateTempSubdirectory("kshim-warm-").FullName;

    [TearDown]
    public void Remove() => Directory.Delete(_root, recursive: true);

    private static SavedStateMeta Meta => new() { BootId = 0x1234, ProtocolVersion = 2, AgentVersion = "a 1", OsVersion = "NetBSD 10.99.12" };

    private string StateFile(string text = "migration stream")
    {
        var f = Path.Combine(_root, "staged");
        File.WriteAllText(f, text);
        return f;
    }

    [Test]
    public void NothingSavedSaysSo()
    {
        Assert.That(new SavedStateStore(_root).Find("k1", out var why), Is.Null);
        Assert.That(why, Is.EqualTo("no saved state yet"));
    }

    [Test]
    public void ACommittedStateIsFoundWithItsMeta()
    {
        var store = new SavedStateStore(_root);
        using (var lease = store.TryBeginSave("k1")!)
            lease.Commit(StateFile(), null, Meta);
        var found = store.Find("k1", out _)!;
        Assert.That(found.Meta.BootId, Is.EqualTo(0x1234UL));
        Assert.That(found.Meta.Bytes, Is.EqualTo("migration stream".Length));
        Assert.That(File.ReadAllText(found.StatePath), Is.EqualTo("migration stream"));
        Assert.That(store.TryBeginSave("k1"), Is.Null, "a saved state is not saved again");
    }

    [Test]
    public void ARamImageIsKeptBesideTheDeviceState()
    {
        var store = new SavedStateStore(_root);
        var ram = Path.Combine(_root, "ram-staged");
        File.WriteAllText(ram, "guest memory");
        using (var lease = store.TryBeginSave("k1")!)
            lease.Commit(StateFile(), ram, Meta);
        var found = store.Find("k1", out _)!;
        Assert.That(found.Meta.HasRamFile, Is.True);
        Assert.That(File.ReadAllText(found.RamPath), Is.EqualTo("guest memory"));
    }

    [Test]
    public void ASparseCopyKeepsEveryByteAndLeavesZerosAsHoles()
    {
        var src = Path.Combine(_root, "src");
        var data = new byte[3 * 1024 * 1024];
        new Random(7).NextBytes(data.AsSpan(1024 * 1024 + 5, 4096));
        data[^1] = 1;
        File.WriteAllBytes(src, data);
        var dst = Path.Combine(_root, "dst");
        SparseFile.Copy(src, dst);
        Assert.That(File.ReadAllBytes(dst), Is.EqualTo(data));
    }

    [Test]
    public void OneSaverAtATime()
    {
        var store = new SavedStateStore(_root);
        using var first = store.TryBeginSave("k1");
        Assert.That(first, Is.Not.Null);
        Assert.That(store.TryBeginSave("k1"), Is.Null, "another cell is saving it");
        Assert.That(store.TryBeginSave("k2"), Is.Not.Null, "other keys are independent");
        first!.Dispose();
        using var again = store.TryBeginSave("k1");
        Assert.That(again, Is.Not.Null, "released with the lease");
    }

    [Test]
    public void ADiscardedStateIsGone()
    {
        var store = new SavedStateStore(_root);
        using (var lease = store.TryBeginSave("k1")!) lease.Commit(StateFile(), null, Meta);
        store.Discard("k1");
        Assert.That(store.Find("k1", out var why), Is.Null);
        Assert.That(why, Is.EqualTo("no saved state yet"));
        Assert.DoesNotThrow(() => store.Discard("k1"), "discarding twice is harmless");
    }

    [Test]
    public void AnUnreadableMetaIsNoStateAndSaysWhy()
    {
        Directory.CreateDirectory(Path.Combine(_root, "k1"));
        File.WriteAllText(Path.Combine(_root, "k1", SavedState.MetaFile), "{ not json");
        Assert.That(new SavedStateStore(_root).Find("k1", out var why), Is.Null);
        Assert.That(why, Does.Contain("unreadable"));
    }
}
