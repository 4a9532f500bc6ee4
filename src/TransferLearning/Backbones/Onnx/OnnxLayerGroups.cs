namespace TransferLearning.Backbones.Onnx;

/// <summary>Splits an imported graph's nodes into layer groups, in graph order (see <see cref="OnnxLayerGrouping"/>).</summary>
internal static class OnnxLayerGroups
{
    public static IReadOnlyList<(string Name, OnnxNode[] Nodes)> Split(IReadOnlyList<OnnxNode> nodes, string input, string output, OnnxLayerGrouping grouping)
    {
        if (grouping == OnnxLayerGrouping.ResidualBlock) return ByResidualBlock(nodes, input, output);
        var scoped = ByModuleScope(nodes);
        if (grouping == OnnxLayerGrouping.ModuleScope) return scoped ?? ByResidualBlock(nodes, input, output);
        return scoped is { Count: >= 2 } ? scoped : ByResidualBlock(nodes, input, output);
    }

    private static bool IsWeighted(OnnxNode n) => n.parameters().Any();

    private static bool IsLayer(OnnxNode n) => n.OpType is "Conv" or "Gemm" or "MatMul" && IsWeighted(n);

    /// <summary>The module path of a PyTorch-exported node name (<c>/layer1/layer1.0/conv1/Conv</c> → layer1, layer1.0, conv1); <c>null</c> for any other name.</summary>
    private static string[]? Scope(OnnxNode n)
    {
        if (!n.NodeName.StartsWith('/')) return null;
        var parts = n.NodeName.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length > 1 ? parts[..^1] : Array.Empty<string>();
    }

    /// <summary>Groups by module scope, or <c>null</c> when some weighted node has no scoped name.</summary>
    private static IReadOnlyList<(string Name, OnnxNode[] Nodes)>? ByModuleScope(IReadOnlyList<OnnxNode> nodes)
    {
        var scopes = nodes.Select(Scope).ToArray();
        if (!nodes.Any(IsWeighted) || nodes.Where((n, i) => IsWeighted(n) && scopes[i] is null).Any()) return null;

        // A module path is descended into when it holds more than half of its parent's weighted nodes and has two or more weighted children.
        var weightedScopes = scopes.Where((s, i) => IsWeighted(nodes[i])).Select(s => s!).ToArray();
        var descend = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string[][] members, int depth, string prefix)
        {
            var children = members.Where(s => s.Length > depth).GroupBy(s => s[depth], StringComparer.Ordinal).ToArray();
            foreach (var child in children)
            {
                string path = prefix + "/" + child.Key;
                var sub = child.ToArray();
                bool dominant = sub.Length * 2 > members.Length
                    && sub.Where(s => s.Length > depth + 1).Select(s => s[depth + 1]).Distinct(StringComparer.Ordinal).Count() >= 2;
                if (!dominant) continue;
                descend.Add(path);
                Visit(sub, depth + 1, path);
            }
        }
        Visit(weightedScopes, 0, "");

        string? Key(string[] scope)
        {
            if (scope.Length == 0) return null;
            string path = "/" + scope[0];
            int depth = 0;
            while (descend.Contains(path) && depth + 1 < scope.Length) path += "/" + scope[++depth];
            return scope[depth];
        }

        var groups = new List<(string Key, List<OnnxNode> Nodes)>();
        for (int i = 0; i < nodes.Count; i++)
        {
            // Unscoped nodes (constants, a top-level Flatten or Add) stay with the group they follow.
            string? key = scopes[i] is { } s ? Key(s) : null;
            if (groups.Count == 0 || (key is not null && key != groups[^1].Key)) groups.Add((key ?? "", new List<OnnxNode>()));
            groups[^1].Nodes.Add(nodes[i]);
        }
        // A module without a convolution or matrix product of its own (an activation, a pool, a lone normalisation)
        // joins the group before it; leading ones join the first real layer.
        var merged = new List<(string Key, List<OnnxNode> Nodes)>();
        var pending = new List<OnnxNode>();
        foreach (var g in groups)
        {
            if (!g.Nodes.Any(IsLayer))
            {
                if (merged.Count > 0) merged[^1].Nodes.AddRange(g.Nodes);
                else pending.AddRange(g.Nodes);
                continue;
            }
            if (merged.Count > 0 && merged[^1].Key == g.Key) { merged[^1].Nodes.AddRange(g.Nodes); continue; }
            merged.Add((g.Key, pending.Concat(g.Nodes).ToList()));
            pending.Clear();
        }
        if (merged.Count == 0) return null;
        var names = new HashSet<string>(StringComparer.Ordinal);
        return merged.Select((g, i) => (names.Add(g.Key) ? g.Key : $"{g.Key}#{i}", g.Nodes.ToArray())).ToArray();
    }

    private static IReadOnlyList<(string Name, OnnxNode[] Nodes)> ByResidualBlock(IReadOnlyList<OnnxNode> nodes, string input, string output)
    {
        var lastRead = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++) foreach (var v in nodes[i].RuntimeInputs) lastRead[v] = i;
        lastRead[output] = int.MaxValue;
        var live = new HashSet<string>(StringComparer.Ordinal) { input };
        var groups = new List<List<OnnxNode>> { new() };
        for (int i = 0; i < nodes.Count; i++)
        {
            groups[^1].Add(nodes[i]);
            foreach (var o in nodes[i].Outputs) if (o.Length > 0) live.Add(o);
            live.RemoveWhere(v => !lastRead.TryGetValue(v, out int last) || last <= i);
            bool nextStartsLayer = i + 1 < nodes.Count && IsLayer(nodes[i + 1]);
            if (live.Count == 1 && nextStartsLayer && groups[^1].Any(IsWeighted)) groups.Add(new List<OnnxNode>());
        }
        if (!groups[^1].Any(IsWeighted) && groups.Count > 1)
        {
            groups[^2].AddRange(groups[^1]);
            groups.RemoveAt(groups.Count - 1);
        }
        return groups.Select((g, i) => ($"group{i}:{g[0].NodeName}", g.ToArray())).ToArray();
    }
}
