using System.Runtime.Intrinsics;

namespace MiniGrad;

/// <summary>
/// The backward rule of an element-wise function y = f(x): the share of dL/dx contributed by one element,
/// dy · f'(x), from the input x, the output y and the upstream gradient dy (a rule uses whichever of x and y
/// gives f' most cheaply and stably). Like <see cref="IUnaryOperator{T}"/>, an operator is a small
/// <c>readonly struct</c> whose fields carry the function's hyperparameters.
/// </summary>
public interface IGradientOperator<T>
{
    /// <summary>dy · f'(x) for one element.</summary>
    T Invoke(T x, T y, T dy);

    /// <summary>dy · f'(x) for each lane of 128-bit vectors.</summary>
    Vector128<T> Invoke(Vector128<T> x, Vector128<T> y, Vector128<T> dy);

    /// <summary>dy · f'(x) for each lane of 256-bit vectors.</summary>
    Vector256<T> Invoke(Vector256<T> x, Vector256<T> y, Vector256<T> dy);

    /// <summary>dy · f'(x) for each lane of 512-bit vectors.</summary>
    Vector512<T> Invoke(Vector512<T> x, Vector512<T> y, Vector512<T> dy);
}
