using Cop.Trading.Features;

namespace Cop.Persistence.Stores;

/// <summary>
/// The feature columns of inference_features_5m, named and ordered as the features
/// (<see cref="FeatureNames.Ordered"/>): every column list of the feature SQL is generated here,
/// so a feature is added in one place. Migrations keep their own text: they are history.
/// </summary>
public static class FeatureColumns
{
    public static IReadOnlyList<string> Names => FeatureNames.Ordered;

    /// <summary>Every feature column through <paramref name="column"/>, in observation order, e.g.
    /// <c>Join(c => "f." + c)</c> is "f.log_ret_5m, f.log_ret_1h, ...".</summary>
    public static string Join(Func<string, string> column, string separator = ", ") =>
        string.Join(separator, Names.Select(column));

    /// <summary>Whether a row of <paramref name="alias"/> has every feature: "(o.log_ret_5m IS NOT
    /// NULL AND ... AND o.time_normalized IS NOT NULL)". Not position: a model puts its own in when
    /// it decides, the stored one is no part of the row.</summary>
    public static string AllPresentSql(string alias) =>
        "(" + string.Join(" AND ", Names.Where(n => n != FeatureNames.Ordered[FeatureNames.Position]).Select(n => $"{alias}.{n} IS NOT NULL")) + ")";
}
