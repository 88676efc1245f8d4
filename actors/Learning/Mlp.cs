using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Cop.Learning;

/// <summary>
/// A fully connected network, tanh between layers and linear at the output, as stable-baselines3's
/// MlpPolicy builds each of its two networks. Parameters live in one flat array (layer by layer:
/// weights [in, out] row-major, then biases), so Adam, gradient clipping, copies and the ONNX
/// export see one vector. Generic in the number type so the gradient check runs in double; training
/// runs in float. Works on a batch of samples at a time (row-major [batch, features]):
/// <see cref="Forward(ReadOnlySpan{T}, int)"/> keeps every layer's activations for
/// <see cref="Backward"/>, which adds the batch's gradients into <see cref="Gradients"/>. The
/// matrix products are one SIMD kernel (<see cref="Gemm"/>), single-threaded in a fixed order: the
/// same inputs give the same bits.
/// </summary>
public sealed class Mlp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _sizes;
    private readonly int[] _weightOffsets, _biasOffsets;
    private T[][] _activations = [];   // [0] the input, [l + 1] layer l's output (after tanh for hidden layers), [batch, size]
    private T[][] _deltas = [];        // dLoss/dz of each layer's pre-activation, [batch, size]
    private readonly T[] _transposed;  // scratch: one layer's weights as [out, in]
    private int _capacity, _batch;

    public T[] Parameters { get; }
    public T[] Gradients { get; }
    public IReadOnlyList<int> Sizes => _sizes;
    public int Inputs => _sizes[0];
    public int Outputs => _sizes[^1];
    public int Layers => _sizes.Length - 1;

    public Mlp(params int[] sizes)
    {
        if (sizes.Length < 2 || sizes.Any(s => s <= 0)) throw new ArgumentException($"layer sizes [{string.Join(",", sizes)}]: need at least an input and an output, all positive");
        _sizes = [.. sizes];
        _weightOffsets = new int[Layers];
        _biasOffsets = new int[Layers];
        var offset = 0;
        var largest = 0;
        for (var l = 0; l < Layers; l++)
        {
            _weightOffsets[l] = offset; offset += sizes[l + 1] * sizes[l];
            _biasOffsets[l] = offset; offset += sizes[l + 1];
            largest = Math.Max(largest, sizes[l + 1] * sizes[l]);
        }
        Parameters = new T[offset];
        Gradients = new T[offset];
        _transposed = new T[largest];
        EnsureCapacity(1);
    }

    /// <summary>Layer <paramref name="layer"/>'s weights, [in, out] row-major (ONNX Gemm's B).</summary>
    public Span<T> Weights(int layer) => Parameters.AsSpan(_weightOffsets[layer], _sizes[layer + 1] * _sizes[layer]);
    public Span<T> Bias(int layer) => Parameters.AsSpan(_biasOffsets[layer], _sizes[layer + 1]);

    /// <summary>Orthogonal initialisation as torch.nn.init.orthogonal_ on a [out, in] weight (the QR
    /// of a Gaussian matrix, signs fixed by R's diagonal), hidden layers with
    /// <paramref name="hiddenGain"/>, the output layer with <paramref name="outputGain"/>; biases 0.</summary>
    public void InitialiseOrthogonal(SeededRandom rng, double hiddenGain, double outputGain)
    {
        Array.Clear(Parameters);
        for (var l = 0; l < Layers; l++)
        {
            int outputs = _sizes[l + 1], inputs = _sizes[l];
            var q = Orthogonal(rng, outputs, inputs);
            var gain = l == Layers - 1 ? outputGain : hiddenGain;
            var w = Weights(l);
            for (var o = 0; o < outputs; o++)
                for (var i = 0; i < inputs; i++)
                    w[i * outputs + o] = T.CreateChecked(q[o * inputs + i] * gain);
        }
    }

    /// <summary>A rows x cols matrix (row-major) with orthonormal rows or columns, whichever are fewer.</summary>
    private static double[] Orthogonal(SeededRandom rng, int rows, int cols)
    {
        int n = Math.Max(rows, cols), m = Math.Min(rows, cols);
        var a = new double[n, m];
        for (var i = 0; i < n; i++) for (var j = 0; j < m; j++) a[i, j] = rng.NextGaussian();
        // Modified Gram-Schmidt on the m columns: Q of a QR with R's diagonal positive.
        for (var j = 0; j < m; j++)
        {
            for (var k = 0; k < j; k++)
            {
                var dot = 0.0;
                for (var i = 0; i < n; i++) dot += a[i, k] * a[i, j];
                for (var i = 0; i < n; i++) a[i, j] -= dot * a[i, k];
            }
            var norm = 0.0;
            for (var i = 0; i < n; i++) norm += a[i, j] * a[i, j];
            norm = Math.Sqrt(norm);
            for (var i = 0; i < n; i++) a[i, j] /= norm;
        }
        var result = new double[rows * cols];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
                result[r * cols + c] = rows >= cols ? a[r, c] : a[c, r];
        return result;
    }

    private void EnsureCapacity(int batch)
    {
        if (batch <= _capacity) return;
        _capacity = Math.Max(batch, _capacity * 2);
        _activations = [.. _sizes.Select(s => new T[_capacity * s])];
        _deltas = [.. _sizes.Skip(1).Select(s => new T[_capacity * s])];
    }

    /// <summary>The output for one sample (a view valid until the next call).</summary>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> input) => Forward(input, 1);

    /// <summary>The outputs [batch, Outputs] for <paramref name="inputs"/> [batch, Inputs] (a view valid until the next call).</summary>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> inputs, int batch)
    {
        if (batch <= 0 || inputs.Length != batch * Inputs) throw new ArgumentException($"inputs hold {inputs.Length} values, not {batch} x {Inputs}");
        EnsureCapacity(batch);
        _batch = batch;
        inputs.CopyTo(_activations[0]);
        for (var l = 0; l < Layers; l++)
        {
            int inputsN = _sizes[l], outputsN = _sizes[l + 1];
            var y = _activations[l + 1].AsSpan(0, batch * outputsN);
            var b = Bias(l);
            for (var r = 0; r < batch; r++) b.CopyTo(y.Slice(r * outputsN, outputsN));
            Gemm(batch, outputsN, inputsN, _activations[l], inputsN, 1, Weights(l), y);
            if (l < Layers - 1) TensorPrimitives.Tanh<T>(y, y);
        }
        return _activations[^1].AsSpan(0, batch * Outputs);
    }

    /// <summary>Adds the gradients of the last <see cref="Forward(ReadOnlySpan{T}, int)"/>'s batch, given
    /// dLoss/dOutput [batch, Outputs], into <see cref="Gradients"/>.</summary>
    public void Backward(ReadOnlySpan<T> outputGradient)
    {
        var batch = _batch;
        if (outputGradient.Length != batch * Outputs) throw new ArgumentException($"output gradient holds {outputGradient.Length} values, not {batch} x {Outputs}");
        outputGradient.CopyTo(_deltas[^1]);
        for (var l = Layers - 1; l >= 0; l--)
        {
            int inputsN = _sizes[l], outputsN = _sizes[l + 1];
            var x = _activations[l].AsSpan(0, batch * inputsN);
            var d = _deltas[l].AsSpan(0, batch * outputsN);
            var gb = Gradients.AsSpan(_biasOffsets[l], outputsN);
            for (var r = 0; r < batch; r++) TensorPrimitives.Add<T>(gb, d.Slice(r * outputsN, outputsN), gb);
            // dW [in, out] += X^T [in, batch] . dZ [batch, out]
            Gemm(inputsN, outputsN, batch, x, 1, inputsN, d, Gradients.AsSpan(_weightOffsets[l], inputsN * outputsN));
            if (l == 0) break;
            // dX [batch, in] = dZ [batch, out] . W^T [out, in], then through tanh: dz = dx (1 - tanh^2).
            var w = Weights(l);
            var wt = _transposed.AsSpan(0, inputsN * outputsN);
            for (var i = 0; i < inputsN; i++)
                for (var o = 0; o < outputsN; o++)
                    wt[o * inputsN + i] = w[i * outputsN + o];
            var dx = _deltas[l - 1].AsSpan(0, batch * inputsN);
            dx.Clear();
            Gemm(batch, inputsN, outputsN, d, outputsN, 1, wt, dx);
            for (var k = 0; k < dx.Length; k++) dx[k] *= T.One - x[k] * x[k];   // x is tanh(z) of the layer below
        }
    }

    /// <summary>
    /// C [m, n] += A [m, k] . B [k, n], B and C row-major and contiguous, A read through strides
    /// (element (i, p) at i * aRow + p * aCol), so a transposed A costs nothing. Each block of up to
    /// four SIMD vectors of a row of C stays in registers for the whole sum over p; columns past the
    /// last whole vector are summed in scalar code. The order of every sum is fixed.
    /// </summary>
    public static void Gemm(int m, int n, int k, ReadOnlySpan<T> a, int aRow, int aCol, ReadOnlySpan<T> b, Span<T> c)
    {
        var width = Vector<T>.Count;
        ref var a0 = ref MemoryMarshal.GetReference(a);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        ref var c0 = ref MemoryMarshal.GetReference(c);
        for (var i = 0; i < m; i++)
        {
            ref var ci = ref Unsafe.Add(ref c0, i * n);
            var j = 0;
            for (; j + 4 * width <= n; j += 4 * width)
            {
                var s0 = Vector.LoadUnsafe(ref ci, (nuint)j);
                var s1 = Vector.LoadUnsafe(ref ci, (nuint)(j + width));
                var s2 = Vector.LoadUnsafe(ref ci, (nuint)(j + 2 * width));
                var s3 = Vector.LoadUnsafe(ref ci, (nuint)(j + 3 * width));
                for (var p = 0; p < k; p++)
                {
                    var av = new Vector<T>(Unsafe.Add(ref a0, i * aRow + p * aCol));
                    ref var bp = ref Unsafe.Add(ref b0, p * n + j);
                    s0 = MultiplyAdd(av, Vector.LoadUnsafe(ref bp), s0);
                    s1 = MultiplyAdd(av, Vector.LoadUnsafe(ref bp, (nuint)width), s1);
                    s2 = MultiplyAdd(av, Vector.LoadUnsafe(ref bp, (nuint)(2 * width)), s2);
                    s3 = MultiplyAdd(av, Vector.LoadUnsafe(ref bp, (nuint)(3 * width)), s3);
                }
                s0.StoreUnsafe(ref ci, (nuint)j);
                s1.StoreUnsafe(ref ci, (nuint)(j + width));
                s2.StoreUnsafe(ref ci, (nuint)(j + 2 * width));
                s3.StoreUnsafe(ref ci, (nuint)(j + 3 * width));
            }
            for (; j + width <= n; j += width)
            {
                var s = Vector.LoadUnsafe(ref ci, (nuint)j);
                for (var p = 0; p < k; p++)
                    s = MultiplyAdd(new Vector<T>(Unsafe.Add(ref a0, i * aRow + p * aCol)), Vector.LoadUnsafe(ref Unsafe.Add(ref b0, p * n + j)), s);
                s.StoreUnsafe(ref ci, (nuint)j);
            }
            for (; j < n; j++)
            {
                var s = Unsafe.Add(ref ci, j);
                for (var p = 0; p < k; p++) s += Unsafe.Add(ref a0, i * aRow + p * aCol) * Unsafe.Add(ref b0, p * n + j);
                Unsafe.Add(ref ci, j) = s;
            }
        }
    }

    /// <summary>a * b + c, fused (one rounding) where the CPU has FMA, for float and double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> MultiplyAdd(Vector<T> a, Vector<T> b, Vector<T> c)
    {
        if (System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            if (typeof(T) == typeof(float))
                return Vector.FusedMultiplyAdd(a.As<T, float>(), b.As<T, float>(), c.As<T, float>()).As<float, T>();
            if (typeof(T) == typeof(double))
                return Vector.FusedMultiplyAdd(a.As<T, double>(), b.As<T, double>(), c.As<T, double>()).As<double, T>();
        }
        return a * b + c;
    }

    public void ZeroGradients() => Array.Clear(Gradients);

    public void CopyParametersFrom(Mlp<T> other)
    {
        if (!other._sizes.SequenceEqual(_sizes)) throw new ArgumentException("networks of different shapes");
        other.Parameters.CopyTo(Parameters, 0);
    }
}
