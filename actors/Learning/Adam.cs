using System.Numerics;
using System.Numerics.Tensors;

namespace Cop.Learning;

/// <summary>
/// Adam over several parameter vectors as one (torch.optim.Adam's update, with its bias
/// correction), preceded by torch's clip_grad_norm_: the gradients of all vectors are scaled
/// together when their global L2 norm exceeds the limit.
/// </summary>
public sealed class Adam<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly (T[] Parameters, T[] Gradients, T[] M, T[] V)[] _groups;
    private readonly double _beta1, _beta2, _eps;
    private long _step;

    public Adam(IEnumerable<(T[] Parameters, T[] Gradients)> groups, double eps = 1e-5, double beta1 = 0.9, double beta2 = 0.999)
    {
        _groups = [.. groups.Select(g => (g.Parameters, g.Gradients, new T[g.Parameters.Length], new T[g.Parameters.Length]))];
        (_beta1, _beta2, _eps) = (beta1, beta2, eps);
    }

    /// <summary>Scales every gradient by maxNorm / (norm + 1e-6) when the global norm exceeds maxNorm; returns the norm before.</summary>
    public double ClipGradientNorm(double maxNorm)
    {
        var sum = 0.0;
        foreach (var g in _groups)
        {
            var s = TensorPrimitives.SumOfSquares<T>(g.Gradients);
            sum += double.CreateChecked(s);
        }
        var norm = Math.Sqrt(sum);
        var coef = maxNorm / (norm + 1e-6);
        if (coef < 1)
            foreach (var g in _groups) TensorPrimitives.Multiply<T>(g.Gradients, T.CreateChecked(coef), g.Gradients);
        return norm;
    }

    public void Step(double learningRate)
    {
        _step++;
        var b1 = T.CreateChecked(_beta1);
        var b2 = T.CreateChecked(_beta2);
        var oneMinusB1 = T.One - b1;
        var oneMinusB2 = T.One - b2;
        var stepSize = T.CreateChecked(learningRate / (1 - Math.Pow(_beta1, _step)));
        var correction2 = T.CreateChecked(Math.Sqrt(1 - Math.Pow(_beta2, _step)));
        var eps = T.CreateChecked(_eps);
        var width = Vector<T>.Count;
        var vb1 = new Vector<T>(b1);
        var vb2 = new Vector<T>(b2);
        var v1 = new Vector<T>(oneMinusB1);
        var v2 = new Vector<T>(oneMinusB2);
        var vStep = new Vector<T>(stepSize);
        var vCorrection = new Vector<T>(correction2);
        var vEps = new Vector<T>(eps);
        foreach (var (p, g, m, v) in _groups)
        {
            var i = 0;
            for (; i + width <= p.Length; i += width)
            {
                var gi = new Vector<T>(g.AsSpan(i));
                var mi = vb1 * new Vector<T>(m.AsSpan(i)) + v1 * gi;
                var vi = vb2 * new Vector<T>(v.AsSpan(i)) + v2 * gi * gi;
                mi.CopyTo(m.AsSpan(i));
                vi.CopyTo(v.AsSpan(i));
                (new Vector<T>(p.AsSpan(i)) - vStep * mi / (Vector.SquareRoot(vi) / vCorrection + vEps)).CopyTo(p.AsSpan(i));
            }
            for (; i < p.Length; i++)
            {
                var gi = g[i];
                m[i] = b1 * m[i] + oneMinusB1 * gi;
                v[i] = b2 * v[i] + oneMinusB2 * gi * gi;
                p[i] -= stepSize * m[i] / (T.Sqrt(v[i]) / correction2 + eps);
            }
        }
    }
}
