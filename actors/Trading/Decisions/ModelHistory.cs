namespace Cop.Trading.Decisions;

/// <summary>
/// A deployed model's history rebuilt from its journaled events (`cop replay model`): the events
/// go through the same <see cref="ModelState.Apply(ModelDecided)"/> the live model and its recovery
/// use, so the account as of any time is the one the model held then. Snapshots are not needed:
/// a model never deletes its events.
/// </summary>
/// <param name="State">The state after the last event at or before the cut.</param>
/// <param name="Decisions">Each decision at or before the cut, in journal order.</param>
/// <param name="Skips">Bars an operator let the model pass (`cop dlq skip`), at or before the cut.</param>
public sealed record ModelHistory(ModelState State, IReadOnlyList<ModelDecided> Decisions, IReadOnlyList<BarSkipped> Skips)
{
    /// <summary>Folds <paramref name="events"/> (journal order) whose bar is at or before
    /// <paramref name="asOf"/> (null: all). Other event types are ignored: the journal holds only these two.</summary>
    public static ModelHistory Replay(string symbol, IEnumerable<object> events, DateTime? asOf = null)
    {
        var state = ModelState.Start(symbol);
        var decisions = new List<ModelDecided>();
        var skips = new List<BarSkipped>();
        foreach (var e in events)
        {
            switch (e)
            {
                case ModelDecided d when asOf is null || d.BarTime <= asOf:
                    state = state.Apply(d);
                    decisions.Add(d);
                    break;
                case BarSkipped s when asOf is null || s.BarTime <= asOf:
                    state = state.Apply(s);
                    skips.Add(s);
                    break;
            }
        }
        return new ModelHistory(state, decisions, skips);
    }
}
