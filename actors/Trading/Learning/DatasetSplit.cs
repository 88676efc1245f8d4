namespace Cop.Trading.Learning;

/// <summary>The three parts of a dataset, in time order: a model learns on train, is chosen on
/// validation and is judged once on test.</summary>
public enum DatasetSplit { Train, Validation, Test }
