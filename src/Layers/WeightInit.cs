namespace MiniGrad.Layers;

/// <summary>How a <see cref="Dense{T}"/> or <see cref="Maxout{T}"/> layer initialises its weights W (fanIn × fanOut) and biases; see <see cref="Init.Affine{T}"/>.</summary>
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
