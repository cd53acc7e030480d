using System.Runtime.Intrinsics;

namespace MiniGrad;

/// <summary>
/// An element-wise function y = f(x), written once as a scalar and once per vector width. The scalar form is
/// the reference; <see cref="Elementwise"/> runs the widest vector form the machine accelerates and the scalar
/// form on the tail. An operator is a small <c>readonly struct</c>; its fields carry the function's
/// hyperparameters (a slope, an α), and a stateless operator is used as <c>default</c>.
/// </summary>
public interface IUnaryOperator<T>
{
    /// <summary>f(x) for one element.</summary>
    T Invoke(T x);

    /// <summary>f(x) for each lane of a 128-bit vector.</summary>
    Vector128<T> Invoke(Vector128<T> x);

    /// <summary>f(x) for each lane of a 256-bit vector.</summary>
    Vector256<T> Invoke(Vector256<T> x);

    /// <summary>f(x) for each lane of a 512-bit vector.</summary>
    Vector512<T> Invoke(Vector512<T> x);
}
