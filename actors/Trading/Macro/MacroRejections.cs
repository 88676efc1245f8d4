namespace Cop.Trading.Macro;

public static class MacroRejections
{
    public static string Code(this MacroRejection rule) => rule switch
    {
        MacroRejection.NotFinite => "macro_not_finite",
        MacroRejection.NotANumber => "macro_not_a_number",
        MacroRejection.FutureDate => "macro_future_date",
        MacroRejection.OutOfRange => "macro_out_of_range",
        MacroRejection.OperatorRejected => "macro_operator_rejected",
        MacroRejection.Jump => "macro_jump",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, null),
    };
}
