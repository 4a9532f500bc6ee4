namespace TransferLearning.Augmentation;

/// <summary>Zoom factors (Keras' <c>zx</c>, <c>zy</c>); values above 1 zoom out, below 1 zoom in.</summary>
/// <param name="Rows">Factor along rows (height), Keras' <c>zx</c>.</param>
/// <param name="Cols">Factor along columns (width), Keras' <c>zy</c>.</param>
public readonly record struct ZoomFactors(double Rows, double Cols);
