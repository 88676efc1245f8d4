namespace Cop.Trading.Validation;

public sealed record AcceptedBar(RawBar Raw, Bar Bar, string? Repair);
