using System.Globalization;
using System.Text;

namespace TransferLearning.Training;

public sealed partial class TransferTrainer
{
    /// <summary>
    /// A Keras-style <c>model.summary()</c> as text: the backbone's layer groups with their parameter counts and whether
    /// they are frozen or trainable now, the head, the totals, the input contract and the feature length. Parameters
    /// shared by several groups are counted in the first.
    /// </summary>
    public string Summary()
    {
        ThrowIfDisposed();
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        string rule = new('-', 64);
        text.AppendLine(culture, $"TransferTrainer: {_backbone.Name} backbone + classifier head, {_classNames.Length} classes, on {_device.type}");
        text.AppendLine(rule);
        text.AppendLine(culture, $"{"Layer group",-28}{"Parameters",16}{"State",20}");
        text.AppendLine(rule);
        var seen = new HashSet<IntPtr>();
        long total = 0, trainable = 0;
        foreach (var group in _backbone.LayerGroups)
        {
            var parameters = group.Parameters().Where(p => seen.Add(p.Handle)).ToArray();
            long count = parameters.Sum(p => p.numel());
            long train = parameters.Where(p => p.requires_grad).Sum(p => p.numel());
            total += count;
            trainable += train;
            text.AppendLine(culture, $"{group.Name,-28}{count,16:N0}{(train == 0 ? "frozen" : train == count ? "trainable" : "partly trainable"),20}");
        }
        var rest = _backbone.parameters().Where(p => seen.Add(p.Handle)).ToArray();
        if (rest.Length > 0)
        {
            long count = rest.Sum(p => p.numel()), train = rest.Where(p => p.requires_grad).Sum(p => p.numel());
            total += count;
            trainable += train;
            text.AppendLine(culture, $"{"(other backbone)",-28}{count,16:N0}{(train == 0 ? "frozen" : "trainable"),20}");
        }
        long head = _head.parameters().Sum(p => p.numel());
        text.AppendLine(culture, $"{$"head ({FeatureLength} -> {_classNames.Length})",-28}{head,16:N0}{"trainable",20}");
        text.AppendLine(rule);
        text.AppendLine(culture, $"Total parameters:     {total + head,16:N0}");
        text.AppendLine(culture, $"Trainable parameters: {trainable + head,16:N0}");
        text.AppendLine(culture, $"Frozen parameters:    {total - trainable,16:N0}");
        text.AppendLine(culture, $"Feature length:       {FeatureLength,16:N0} ({_backbone.Pooling} pooling)");
        text.AppendLine(InputContract is { } c
            ? string.Create(culture, $"Input:                {c.Width} x {c.Height} {c.ColorMode}, {c.Interpolation}{(c.KeepAspectRatio ? ", centre crop" : ", stretched")}, preprocessing '{_backbone.Preprocessing.Name}'")
            : $"Input:                size not known yet, preprocessing '{_backbone.Preprocessing.Name}'");
        return text.ToString();
    }
}
