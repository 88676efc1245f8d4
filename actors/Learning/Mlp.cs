using System.Numerics;
using System.Numerics.Tensors;

namespace Cop.Learning;

/// <summary>
/// A fully connected network, tanh between layers and linear at the output, as stable-baselines3's
/// MlpPolicy builds each of its two networks. Parameters live in one flat array (layer by layer:
/// weights [out, in] row-major, then biases), so Adam, gradient clipping, copies and the ONNX
/// export see one vector. Generic in the number type so the gradient check runs in double; training
/// runs in float. <see cref="Forward"/> keeps the activations of the last sample for
/// <see cref="Backward"/>, which adds that sample's gradients into <see cref="Gradients"/>.
/// Single-threaded, fixed summation order: the same inputs give the same bits.
/// </summary>
public sealed class Mlp<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _sizes;
    private readonly int[] _weightOffsets, _biasOffsets;
    private readonly T[][] _activations;   // [0] the input, [l + 1] layer l's output (after tanh for hidden layers)
    private readonly T[][] _deltas;        // dLoss/dz of each layer's pre-activation

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
        for (var l = 0; l < Layers; l++)
        {
            _weightOffsets[l] = offset; offset += sizes[l + 1] * sizes[l];
            _biasOffsets[l] = offset; offset += sizes[l + 1];
        }
        Parameters = new T[offset];
        Gradients = new T[offset];
        _activations = [.. sizes.Select(s => new T[s])];
        _deltas = [.. sizes.Skip(1).Select(s => new T[s])];
    }

    /// <summary>Layer <paramref name="layer"/>'s weights, [out, in] row-major (ONNX Gemm with transB = 1).</summary>
    public Span<T> Weights(int layer) => Parameters.AsSpan(_weightOffsets[layer], _sizes[layer + 1] * _sizes[layer]);
    public Span<T> Bias(int layer) => Parameters.AsSpan(_biasOffsets[layer], _sizes[layer + 1]);

    /// <summary>Orthogonal initialisation as torch.nn.init.orthogonal_ (the QR of a Gaussian matrix,
    /// signs fixed by R's diagonal), hidden layers with <paramref name="hiddenGain"/>, the output
    /// layer with <paramref name="outputGain"/>; biases 0.</summary>
    public void InitialiseOrthogonal(SeededRandom rng, double hiddenGain, double outputGain)
    {
        Array.Clear(Parameters);
        for (var l = 0; l < Layers; l++)
        {
            int rows = _sizes[l + 1], cols = _sizes[l];
            var q = Orthogonal(rng, rows, cols);
            var gain = l == Layers - 1 ? outputGain : hiddenGain;
            var w = Weights(l);
            for (var i = 0; i < w.Length; i++) w[i] = T.CreateChecked(q[i] * gain);
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

    /// <summary>The output for <paramref name="input"/> (a view valid until the next call).</summary>
    public ReadOnlySpan<T> Forward(ReadOnlySpan<T> input)
    {
        if (input.Length != Inputs) throw new ArgumentException($"input has {input.Length} values, the network takes {Inputs}");
        input.CopyTo(_activations[0]);
        for (var l = 0; l < Layers; l++)
        {
            var x = _activations[l];
            var y = _activations[l + 1];
            var w = Weights(l);
            var b = Bias(l);
            var inputs = x.Length;
            for (var o = 0; o < y.Length; o++) y[o] = b[o] + TensorPrimitives.Dot<T>(w.Slice(o * inputs, inputs), x);
            if (l < Layers - 1) TensorPrimitives.Tanh<T>(y, y);
        }
        return _activations[^1];
    }

    /// <summary>Adds the gradients of the last <see cref="Forward"/>'s sample, given dLoss/dOutput, into <see cref="Gradients"/>.</summary>
    public void Backward(ReadOnlySpan<T> outputGradient)
    {
        outputGradient.CopyTo(_deltas[^1]);
        for (var l = Layers - 1; l >= 0; l--)
        {
            var x = _activations[l];
            var d = _deltas[l];
            var inputs = x.Length;
            var w = Weights(l);
            var gw = Gradients.AsSpan(_weightOffsets[l], d.Length * inputs);
            var gb = Gradients.AsSpan(_biasOffsets[l], d.Length);
            TensorPrimitives.Add<T>(gb, d, gb);
            for (var o = 0; o < d.Length; o++)
            {
                var row = gw.Slice(o * inputs, inputs);
                TensorPrimitives.MultiplyAdd<T>(x, d[o], row, row);
            }
            if (l == 0) break;
            // dLoss/dx, then through tanh: dz = dx * (1 - tanh^2).
            var dx = _deltas[l - 1];
            dx.AsSpan().Clear();
            for (var o = 0; o < d.Length; o++) TensorPrimitives.MultiplyAdd<T>(w.Slice(o * inputs, inputs), d[o], dx, dx);
            for (var i = 0; i < inputs; i++) dx[i] *= T.One - x[i] * x[i];
        }
    }

    public void ZeroGradients() => Array.Clear(Gradients);

    public void CopyParametersFrom(Mlp<T> other)
    {
        if (!other._sizes.SequenceEqual(_sizes)) throw new ArgumentException("networks of different shapes");
        other.Parameters.CopyTo(Parameters, 0);
    }
}
