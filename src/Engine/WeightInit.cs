namespace MiniGrad;

/// <summary>How a <see cref="Layers.Dense{T}"/> layer initialises its weight W (fanIn × fanOut) and bias.</summary>
public enum WeightInit
{
    /// <summary>PyTorch's <c>nn.Linear</c>: W and b uniform in ±1/√fanIn.</summary>
    Default,

    /// <summary>Glorot and Bengio (2010): W ~ U(±√(6 / (fanIn + fanOut))); b = 0. Suits tanh and sigmoid.</summary>
    XavierUniform,

    /// <summary>Glorot and Bengio (2010): W ~ N(0, 2 / (fanIn + fanOut)); b = 0.</summary>
    XavierNormal,

    /// <summary>He et al. (2015), Kaiming: W ~ U(±√(6 / fanIn)); b = 0. Suits ReLU.</summary>
    HeUniform,

    /// <summary>He et al. (2015), Kaiming: W ~ N(0, 2 / fanIn); b = 0. Suits ReLU.</summary>
    HeNormal,

    /// <summary>LeCun et al. (1998): W ~ U(±√(3 / fanIn)); b = 0.</summary>
    LeCunUniform,

    /// <summary>LeCun et al. (1998): W ~ N(0, 1 / fanIn); b = 0. The init SELU's self-normalisation assumes.</summary>
    LeCunNormal,
}
