using System.Security.Cryptography;
using Cop.Trading.Decisions;
using Cop.Trading.Features;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Cop.Actors.Models;

/// <summary>
/// One loaded ONNX policy. Load checks, before anything runs: the file's SHA-256 against the
/// registry, that ONNX Runtime can parse it, input "obs" float[1,15] (batch may be dynamic) and
/// output "logits" float[1,3]. Decide runs one observation with preallocated buffers.
/// </summary>
public sealed class PolicySession : IDisposable
{
    public const string InputName = "obs", OutputName = "logits";
    public const int ActionCount = 3;
    public static readonly int ObservationSize = FeatureNames.Count;

    private readonly InferenceSession _session;
    private readonly float[] _input = new float[ObservationSize];
    private readonly float[] _output = new float[ActionCount];
    private readonly OrtValue _inputValue, _outputValue;
    private readonly OrtValue[] _inputs, _outputs;   // one array each for every run, not one per call
    // The input and output bound once to their buffers: a run then passes no names to marshal.
    private readonly OrtIoBinding _binding;
    private readonly RunOptions _run = new();
    private readonly string[] _inputNames = [InputName], _outputNames = [OutputName];

    private PolicySession(InferenceSession session)
    {
        _session = session;
        _inputValue = OrtValue.CreateTensorValueFromMemory(_input, [1, ObservationSize]);
        _outputValue = OrtValue.CreateTensorValueFromMemory(_output, [1, ActionCount]);
        (_inputs, _outputs) = ([_inputValue], [_outputValue]);
        _binding = session.CreateIoBinding();
        _binding.BindInput(InputName, _inputValue);
        _binding.BindOutput(OutputName, _outputValue);
    }

    public static string Sha256Of(string path)
    {
        using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    public static PolicySession Load(string path, string? expectedSha256)
    {
        if (!File.Exists(path)) throw new ModelRejectedException($"{path}: model file not found");
        if (expectedSha256 is not null && Sha256Of(path) is var actual && actual != expectedSha256)
            throw new ModelRejectedException($"{path}: SHA-256 {actual} does not match the registry's {expectedSha256}");
        InferenceSession session;
        try
        {
            var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e) { throw new ModelRejectedException($"{path}: not a loadable ONNX model ({e.Message})", e); }
        try
        {
            Check(session.InputMetadata, InputName, ObservationSize, path, "input");
            Check(session.OutputMetadata, OutputName, ActionCount, path, "output");
        }
        catch { session.Dispose(); throw; }
        return new PolicySession(session);
    }

    private static void Check(IReadOnlyDictionary<string, NodeMetadata> metadata, string name, int width, string path, string kind)
    {
        if (!metadata.TryGetValue(name, out var m))
            throw new ModelRejectedException($"{path}: no {kind} named '{name}' (it has: {string.Join(", ", metadata.Keys)})");
        if (m.ElementDataType != TensorElementType.Float)
            throw new ModelRejectedException($"{path}: {kind} '{name}' is {m.ElementDataType}, expected float");
        var dims = m.Dimensions;
        if (dims.Length != 2 || (dims[0] != 1 && dims[0] != -1) || dims[1] != width)
            throw new ModelRejectedException($"{path}: {kind} '{name}' has shape [{string.Join(",", dims)}], expected [1,{width}]");
    }

    /// <summary>Runs the policy on a normalised observation; returns its logits (copied).</summary>
    public float[] Logits(ReadOnlySpan<float> observation)
    {
        observation.CopyTo(_input);
        _session.Run(_run, _inputNames, _inputs, _outputNames, _outputs);
        return [.. _output];
    }

    /// <summary>The action and its confidence, without copying the logits (the backtest's loop).</summary>
    public (TradeAction Action, double Confidence) Act(ReadOnlySpan<float> observation)
    {
        observation.CopyTo(_input);
        _session.RunWithBinding(_run, _binding);
        return Policy.Decide(_output);
    }

    public (TradeAction Action, double Confidence, float[] Logits) Decide(ReadOnlySpan<float> observation)
    {
        var logits = Logits(observation);
        var (action, confidence) = Policy.Decide(logits);
        return (action, confidence, logits);
    }

    public void Dispose()
    {
        _binding.Dispose();
        _inputValue.Dispose();
        _outputValue.Dispose();
        _run.Dispose();
        _session.Dispose();
    }
}
