namespace Cop.Trading.Validation;

public sealed record RejectedBar(RawBar Raw, QuarantineReason Reason, string Detail)
{
    public string Message => $"{Raw.Origin}: {Reason.Code()}: {Detail}";
}
