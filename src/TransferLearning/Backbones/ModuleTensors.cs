using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace TransferLearning.Backbones;

/// <summary>
/// Frees the parameters and buffers of a module tree. TorchSharp 0.107's <c>Module.Dispose</c> releases the module's
/// native handle but not the tensors of its children (a plain <c>Sequential</c> of convolutions keeps every weight
/// alive), so a model that is created and disposed again and again grows the process without bound. Modules of this
/// library call <see cref="DisposeTree"/> from their <c>Dispose</c>. Building a module leaks too: TorchSharp's layer
/// constructors leave the wrappers returned by their in-place initialisers alive, each pinning a parameter's storage
/// until the finalizer runs; <see cref="Build{T}"/> frees them.
/// </summary>
internal static class ModuleTensors
{
    /// <summary>
    /// Disposes every parameter and buffer of <paramref name="root"/> and of all its descendants, then the descendant
    /// modules themselves (deepest first). <paramref name="root"/> itself is left for its own <c>Dispose</c>.
    /// Safe to call twice; a module shared by two trees is freed with the first.
    /// </summary>
    /// <param name="root">The module whose tree is freed.</param>
    public static void DisposeTree(Module root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var tree = Tree(root);
        foreach (var module in tree)
        {
            foreach (var (_, parameter) in module.named_parameters(recurse: false)) parameter.Dispose();
            foreach (var (_, buffer) in module.named_buffers(recurse: false, include_nonpersistent: true)) buffer.Dispose();
        }
        for (int i = tree.Count - 1; i > 0; i--) tree[i].Dispose();
    }

    /// <summary>
    /// Runs <paramref name="create"/> in a dispose scope and keeps only the parameters and buffers of the module tree it
    /// returns: every other tensor created on the way (initialiser results, probes, temporaries) is freed.
    /// </summary>
    /// <typeparam name="T">The module type.</typeparam>
    /// <param name="create">Builds the module; must not return tensors it created other than through the module.</param>
    /// <returns>The module, whose tensors are owned by it alone (outside any dispose scope).</returns>
    public static T Build<T>(Func<T> create) where T : Module
    {
        ArgumentNullException.ThrowIfNull(create);
        using var scope = NewDisposeScope();
        T module = create();
        foreach (var m in Tree(module))
        {
            foreach (var (_, parameter) in m.named_parameters(recurse: false)) parameter.DetachFromDisposeScope();
            foreach (var (_, buffer) in m.named_buffers(recurse: false, include_nonpersistent: true)) buffer.DetachFromDisposeScope();
        }
        return module;
    }

    private static List<Module> Tree(Module root)
    {
        var tree = new List<Module> { root };
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance) { root };
        for (int i = 0; i < tree.Count; i++)
        {
            foreach (var (_, child) in tree[i].named_children())
                if (seen.Add(child)) tree.Add(child);
        }
        return tree;
    }
}
