namespace Cop.Trading.Macro;

/// <summary>A value that was not accepted: the rule (Rule, stored as its Code), why (Reason), and
/// the accepted value it was compared with (Reference), if any. Text is the original cell when it
/// was not a number.</summary>
public sealed record RejectedMacroValue(string Column, DateOnly Date, double Value, MacroRejection Rule, string Reason,
    MacroValue? Reference = null, string? Text = null)
{
    public string Code => Rule.Code();
    public string Message => $"{Column} {Date:yyyy-MM-dd} = {Text ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}: {Reason}";
}
