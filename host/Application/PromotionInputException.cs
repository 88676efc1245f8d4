namespace Cop.Host.Application;

/// <summary>A refused promotion action: the field at fault, a sentence, and the HTTP status the API
/// answers with (400 bad input, 403 not allowed for this user, 404 no such thing, 409 already
/// decided). An ArgumentException, so the CLI's Guard prints it on one line with exit 2.</summary>
public sealed class PromotionInputException(string field, string message, int status = 400) : ArgumentException($"{field}: {message}")
{
    public string Field { get; } = field;
    public string Reason { get; } = message;
    public int Status { get; } = status;
}
