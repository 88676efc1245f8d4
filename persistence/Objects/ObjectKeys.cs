using System.Text.RegularExpressions;

namespace Cop.Persistence.Objects;

/// <summary>The object store's layout: ml-datasets/{experiment}/{version}/ and ml-models/{experiment}/{version}/.</summary>
public static partial class ObjectKeys
{
    public const string DatasetFileName = "dataset.parquet";

    public static string Dataset(string experiment, string version) => $"ml-datasets/{Part(experiment, "experiment")}/{Part(version, "version")}/{DatasetFileName}";

    /// <summary>The folder of a trained model's files (ONNX, training log), ending in '/'.</summary>
    public static string ModelFolder(string experiment, string version) => $"ml-models/{Part(experiment, "experiment")}/{Part(version, "version")}/";

    /// <summary>A name that becomes one path segment: letters, digits, '.', '_' and '-' (not only dots).</summary>
    public static string Part(string name, string what) =>
        SafeName().IsMatch(name) && name.Trim('.').Length > 0 ? name
            : throw new ArgumentException($"{what} '{name}' must be letters, digits, '.', '_' or '-' (it names a folder in the object store)");

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex SafeName();
}
