namespace Cop.Trading.Learning;

/// <summary>The splits' names ("train", "validation", "test"): one spelling for files, columns and messages.</summary>
public static class SplitNames
{
    public static readonly IReadOnlyList<DatasetSplit> All = [DatasetSplit.Train, DatasetSplit.Validation, DatasetSplit.Test];

    public static string Of(DatasetSplit split) => split switch
    {
        DatasetSplit.Train => "train",
        DatasetSplit.Validation => "validation",
        DatasetSplit.Test => "test",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, null),
    };

    public static DatasetSplit Parse(string name) => name switch
    {
        "train" => DatasetSplit.Train,
        "validation" => DatasetSplit.Validation,
        "test" => DatasetSplit.Test,
        _ => throw new ArgumentException($"'{name}' is not a split (train, validation, test)"),
    };
}
