namespace TransferLearning.Training;

/// <summary>The optimizer a phase uses (TorchSharp's implementations).</summary>
public enum OptimizerKind
{
    /// <summary>Adam (betas 0.9, 0.999; eps 1e-8); weight decay is an L2 penalty. The head phase's default.</summary>
    Adam,

    /// <summary>AdamW: Adam with decoupled weight decay.</summary>
    AdamW,

    /// <summary>RMSprop (alpha 0.99, eps 1e-8, no momentum) — Keras' fine-tuning recipe. The fine-tune phase's default.</summary>
    RmsProp,

    /// <summary>Stochastic gradient descent with momentum 0.9 (Nesterov off).</summary>
    Sgd,
}
