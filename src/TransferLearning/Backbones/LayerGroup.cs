using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// A block of a backbone's layers that is frozen or unfrozen together (for VGG16: the convolutions before each
/// max-pool). Groups are listed from input to output, so "the last N blocks" are the deepest ones.
/// </summary>
public sealed class LayerGroup
{
    /// <summary>Creates a group.</summary>
    /// <param name="name">A readable name, for example <c>block5</c>.</param>
    /// <param name="modules">The modules of the group; their parameters and normalisation layers belong to it.</param>
    public LayerGroup(string name, IReadOnlyList<Module> modules)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(modules);
        Name = name;
        Modules = modules.ToArray();
    }

    /// <summary>A readable name, for example <c>block5</c>.</summary>
    public string Name { get; }

    /// <summary>The modules of the group.</summary>
    public IReadOnlyList<Module> Modules { get; }

    /// <summary>Whether the group's parameters are excluded from training.</summary>
    public bool IsFrozen { get; internal set; }

    /// <summary>All parameters of the group.</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> Parameters() => Modules.SelectMany(m => m.parameters());
}
