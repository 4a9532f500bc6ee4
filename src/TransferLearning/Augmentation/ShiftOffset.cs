namespace TransferLearning.Augmentation;

/// <summary>
/// A shift in pixels (Keras' <c>tx</c>, <c>ty</c>): positive values sample from further down / right, so the
/// content moves up / left.
/// </summary>
/// <param name="Rows">Shift along rows (height), Keras' <c>tx</c>.</param>
/// <param name="Cols">Shift along columns (width), Keras' <c>ty</c>.</param>
public readonly record struct ShiftOffset(double Rows, double Cols);
