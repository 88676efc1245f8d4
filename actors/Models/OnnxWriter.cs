using System.Text;

namespace Cop.Actors.Models;

/// <summary>
/// Writes the ONNX protobuf of a policy with no protobuf library: the handful of ModelProto fields
/// it needs, encoded by hand (field numbers from onnx/onnx.proto). A linear policy, logits = obs x W
/// + b (one Gemm node), or a trained MLP (Gemm, Tanh, ..., Gemm). Input "obs" float[1,15], output
/// "logits" float[1,3] (HOLD, LONG, SHORT).
/// </summary>
public static class OnnxWriter
{
    public static byte[] LinearPolicy(float[,] weights, float[] bias, string producer = "cop", string? docString = null)
    {
        int inputs = weights.GetLength(0), outputs = weights.GetLength(1);
        if (bias.Length != outputs) throw new ArgumentException($"bias has {bias.Length} values, weights have {outputs} outputs");
        var w = new float[inputs * outputs];
        for (var i = 0; i < inputs; i++) for (var j = 0; j < outputs; j++) w[i * outputs + j] = weights[i, j];

        var graph = new Proto()
            .Message(1, new Proto().String(1, "obs").String(1, "W").String(1, "B").String(2, "logits").String(3, "policy").String(4, "Gemm"))
            .String(2, "cop_linear_policy")
            .Message(5, Tensor("W", [inputs, outputs], w))
            .Message(5, Tensor("B", [outputs], bias))
            .Message(11, ValueInfo("obs", 1, inputs))
            .Message(12, ValueInfo("logits", 1, outputs));
        var model = new Proto()
            .Varint(1, 8)                                              // ir_version
            .String(2, producer)                                       // producer_name
            .Message(7, graph)
            .Message(8, new Proto().String(1, "").Varint(2, 13));     // opset_import: default domain, opset 13
        if (docString is not null) model.String(6, docString);
        return model.ToArray();
    }

    /// <summary>One dense layer of an MLP: weights [Inputs, Outputs] row-major (Gemm's B) and bias [Outputs].</summary>
    public readonly record struct Layer(float[] Weights, int Outputs, int Inputs, float[] Bias);

    /// <summary>An MLP policy: Gemm (obs x W + B) per layer with Tanh between layers, the last
    /// layer's output being the logits. float32 throughout, so ONNX Runtime computes what the
    /// trainer's forward pass computes (up to summation order).</summary>
    public static byte[] MlpPolicy(IReadOnlyList<Layer> layers, string producer = "cop", string? docString = null)
    {
        if (layers.Count == 0) throw new ArgumentException("an MLP needs at least one layer");
        for (var l = 0; l < layers.Count; l++)
        {
            var layer = layers[l];
            if (layer.Weights.Length != layer.Outputs * layer.Inputs || layer.Bias.Length != layer.Outputs)
                throw new ArgumentException($"layer {l}: {layer.Weights.Length} weights and {layer.Bias.Length} biases for {layer.Outputs}x{layer.Inputs}");
            if (l > 0 && layer.Inputs != layers[l - 1].Outputs)
                throw new ArgumentException($"layer {l} takes {layer.Inputs} inputs, layer {l - 1} gives {layers[l - 1].Outputs}");
        }
        var graph = new Proto();
        var input = "obs";
        for (var l = 0; l < layers.Count; l++)
        {
            var last = l == layers.Count - 1;
            var gemmOut = last ? "logits" : $"z{l}";
            graph.Message(1, new Proto().String(1, input).String(1, $"W{l}").String(1, $"B{l}").String(2, gemmOut).String(3, $"gemm{l}").String(4, "Gemm"));
            if (!last)
            {
                graph.Message(1, new Proto().String(1, gemmOut).String(2, $"h{l}").String(3, $"tanh{l}").String(4, "Tanh"));
                input = $"h{l}";
            }
        }
        graph.String(2, "cop_mlp_policy");
        for (var l = 0; l < layers.Count; l++)
            graph.Message(5, Tensor($"W{l}", [layers[l].Inputs, layers[l].Outputs], layers[l].Weights))
                 .Message(5, Tensor($"B{l}", [layers[l].Outputs], layers[l].Bias));
        graph.Message(11, ValueInfo("obs", 1, layers[0].Inputs))
             .Message(12, ValueInfo("logits", 1, layers[^1].Outputs));
        var model = new Proto()
            .Varint(1, 8)
            .String(2, producer)
            .Message(7, graph)
            .Message(8, new Proto().String(1, "").Varint(2, 13));
        if (docString is not null) model.String(6, docString);
        return model.ToArray();
    }

    private static Proto Tensor(string name, long[] dims, float[] values)
    {
        var t = new Proto();
        foreach (var d in dims) t.Varint(1, (ulong)d);
        t.Varint(2, 1);                                                // data_type FLOAT
        t.String(8, name);
        var raw = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, raw, 0, raw.Length);               // little-endian, as ONNX raw_data requires
        return t.Bytes(9, raw);
    }

    private static Proto ValueInfo(string name, long rows, long cols) =>
        new Proto().String(1, name).Message(2, new Proto().Message(1, new Proto()
            .Varint(1, 1)                                              // elem_type FLOAT
            .Message(2, new Proto().Message(1, new Proto().Varint(1, (ulong)rows)).Message(1, new Proto().Varint(1, (ulong)cols)))));

    /// <summary>A protobuf message under construction (wire types 0 and 2 only).</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _buffer = new();

        public Proto Varint(int field, ulong value) { Key(field, 0); Raw(value); return this; }
        public Proto String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));
        public Proto Message(int field, Proto message) => Bytes(field, message.ToArray());

        public Proto Bytes(int field, byte[] value)
        {
            Key(field, 2);
            Raw((ulong)value.Length);
            _buffer.Write(value);
            return this;
        }

        public byte[] ToArray() => _buffer.ToArray();

        private void Key(int field, int wireType) => Raw((ulong)(field << 3 | wireType));

        private void Raw(ulong value)
        {
            while (value >= 0x80) { _buffer.WriteByte((byte)(value | 0x80)); value >>= 7; }
            _buffer.WriteByte((byte)value);
        }
    }
}
