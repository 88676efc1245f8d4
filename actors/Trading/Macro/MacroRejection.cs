namespace Cop.Trading.Macro;

/// <summary>The rule a macro value broke. <see cref="MacroRejections.Code"/> names it in
/// macro_rejections.rule and quarantine.reason_code.</summary>
public enum MacroRejection
{
    NotFinite,
    /// <summary>A seed file's cell that is not a number at all.</summary>
    NotANumber,
    FutureDate,
    OutOfRange,
    /// <summary>Inside a range an operator marked bad (`cop macro reject`).</summary>
    OperatorRejected,
    /// <summary>A move from the last accepted value beyond the allowed jump.</summary>
    Jump,
}
