namespace Cop.Trading.Macro;

/// <summary>What a series is, which decides how its values are validated (issue 13): a market
/// price, index or yield moves every day and a move beyond max-jump is a broken feed whatever
/// follows; a step series (a policy rate) moves rarely and stays, so a jump that the next value
/// confirms is a new level; survey and statistic releases (monthly, quarterly) are judged like
/// market series: a release beyond max-jump waits for an operator.</summary>
public enum MacroKind { Market, Step, Survey, Statistic }
