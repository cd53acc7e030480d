using System.Runtime.Intrinsics;

namespace MiniGrad;

/// <summary>
/// An element-wise function of two operands, y = f(x, a), written once as a scalar and once per vector width
/// (for example PReLU with one learned slope a per feature). See <see cref="IUnaryOperator{T}"/>.
/// </summary>
public interface IBinaryOperator<T>
{
    /// <summary>f(x, a) for one pair of elements.</summary>
    T Invoke(T x, T a);

    /// <summary>f(x, a) for each lane of 128-bit vectors.</summary>
    Vector128<T> Invoke(Vector128<T> x, Vector128<T> a);

    /// <summary>f(x, a) for each lane of 256-bit vectors.</summary>
    Vector256<T> Invoke(Vector256<T> x, Vector256<T> a);

    /// <summary>f(x, a) for each lane of 512-bit vectors.</summary>
    Vector512<T> Invoke(Vector512<T> x, Vector512<T> a);
}
