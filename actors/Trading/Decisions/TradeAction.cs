namespace Cop.Trading.Decisions;

/// <summary>The model's output classes, in the ONNX contract's logit order.</summary>
public enum TradeAction { Hold = 0, Long = 1, Short = 2 }
