using Akka.Configuration;
using Cop.Persistence.Objects;

namespace Cop.Host.Configuration;

/// <summary>
/// `cop.objects`: the object store for datasets and models, a local folder (default .cop/objects
/// under the checkout) or an S3-compatible bucket. Environment variables a user can guess override
/// the file; a bad or incomplete S3 set-up is refused naming the key.
/// </summary>
public sealed record ObjectStoreSettings(string Store, string Directory, S3ObjectSettings? S3)
{
    /// <summary>Environment variables and the keys they override.</summary>
    public static readonly IReadOnlyDictionary<string, string> EnvironmentOverrides = new Dictionary<string, string>
    {
        ["COP_OBJECT_STORE"] = "cop.objects.store",
        ["COP_OBJECTS_DIR"] = "cop.objects.directory",
        ["COP_S3_BUCKET"] = "cop.objects.s3.bucket",
        ["COP_S3_ENDPOINT"] = "cop.objects.s3.endpoint",
        ["COP_S3_REGION"] = "cop.objects.s3.region",
        ["COP_S3_PATH_STYLE"] = "cop.objects.s3.path-style",
        ["COP_S3_ACCESS_KEY"] = "cop.objects.s3.access-key",
        ["COP_S3_SECRET_KEY"] = "cop.objects.s3.secret-key",
    };

    public static ObjectStoreSettings From(Config config, Func<string, string?> env)
    {
        const string o = "cop.objects";
        string Get(string key, string fallback)
        {
            var variable = EnvironmentOverrides.FirstOrDefault(p => p.Value == key).Key;
            return variable is not null && env(variable) is { Length: > 0 } v ? v : config.GetString(key, fallback) ?? fallback;
        }
        var store = Get($"{o}.store", "local").Trim().ToLowerInvariant();
        var directory = CopSettings.Home(Get($"{o}.directory", ".cop/objects"));
        if (store == "local") return new ObjectStoreSettings(store, directory, null);
        if (store != "s3") throw new ConfigurationException($"{o}.store = {store}: must be local or s3 (COP_OBJECT_STORE)");

        var bucket = Get($"{o}.s3.bucket", "");
        if (bucket.Length == 0) throw new ConfigurationException($"{o}.store = s3 needs {o}.s3.bucket (COP_S3_BUCKET)");
        var endpoint = Get($"{o}.s3.endpoint", "");
        if (endpoint.Length > 0 && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            throw new ConfigurationException($"{o}.s3.endpoint = {endpoint}: must be an http(s) URL (COP_S3_ENDPOINT)");
        var access = Get($"{o}.s3.access-key", "") is { Length: > 0 } a ? a : env("AWS_ACCESS_KEY_ID") ?? "";
        var secret = Get($"{o}.s3.secret-key", "") is { Length: > 0 } s ? s : env("AWS_SECRET_ACCESS_KEY") ?? "";
        if (access.Length == 0 || secret.Length == 0)
            throw new ConfigurationException($"{o}.store = s3 needs {o}.s3.access-key and secret-key (COP_S3_ACCESS_KEY / COP_S3_SECRET_KEY, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)");
        var pathStyle = Get($"{o}.s3.path-style", "on").Trim().ToLowerInvariant() switch
        {
            "on" or "true" or "yes" => true,
            "off" or "false" or "no" => false,
            var v => throw new ConfigurationException($"{o}.s3.path-style = {v}: must be on or off (COP_S3_PATH_STYLE)"),
        };
        return new ObjectStoreSettings(store, directory, new S3ObjectSettings(bucket, endpoint.Length > 0 ? endpoint : null, access, secret,
            Get($"{o}.s3.region", "us-east-1"), pathStyle));
    }

    public static ObjectStoreSettings Load(CopSettings settings) => From(settings.Hocon, Environment.GetEnvironmentVariable);

    public IObjectStore Open() => S3 is { } s3 ? new S3ObjectStore(s3) : new LocalObjectStore(Directory);

    public string Describe => S3 is { } s3 ? $"s3://{s3.Bucket} at {s3.Endpoint ?? "AWS " + s3.Region}" : Directory;
}
