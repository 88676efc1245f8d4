using Akka.Configuration;
using Cop.Host.Configuration;
using Cop.Persistence.Objects;
using Cop.Tests.Infrastructure;

namespace Cop.Tests.Host;

/// <summary>`cop.objects` as shipped and under the environment variables a user can guess.</summary>
public class ObjectStoreSettingsTests
{
    private static ObjectStoreSettings Read(params (string Name, string Value)[] env) =>
        ObjectStoreSettings.From(ShippedConfig.Hocon(), n => env.FirstOrDefault(e => e.Name == n).Value);

    [Fact]
    public void The_shipped_default_is_a_local_folder_under_the_checkout()
    {
        var s = Read();
        Assert.Equal("local", s.Store);
        Assert.Null(s.S3);
        Assert.EndsWith(Path.Combine(".cop", "objects"), s.Directory);
        Assert.IsType<LocalObjectStore>(s.Open());
        Assert.Equal("/tmp/elsewhere", Read(("COP_OBJECTS_DIR", "/tmp/elsewhere")).Directory);
    }

    [Fact]
    public void The_environment_selects_an_S3_bucket_with_its_endpoint_keys_and_style()
    {
        var s = Read(("COP_OBJECT_STORE", "s3"), ("COP_S3_BUCKET", "models"), ("COP_S3_ENDPOINT", "http://127.0.0.1:9000"),
            ("COP_S3_ACCESS_KEY", "k"), ("COP_S3_SECRET_KEY", "s"), ("COP_S3_PATH_STYLE", "off"));
        Assert.Equal(new S3ObjectSettings("models", "http://127.0.0.1:9000", "k", "s", "us-east-1", PathStyle: false), s.S3);
        using var store = (S3ObjectStore)s.Open();
        Assert.Equal("s3://models/ml-datasets/e/v/dataset.parquet", store.Location(ObjectKeys.Dataset("e", "v")));
        // The AWS variables are the fallback for the keys.
        var aws = Read(("COP_OBJECT_STORE", "s3"), ("COP_S3_BUCKET", "models"), ("AWS_ACCESS_KEY_ID", "ak"), ("AWS_SECRET_ACCESS_KEY", "sk"));
        Assert.Equal(("ak", "sk", null, true), (aws.S3!.AccessKey, aws.S3.SecretKey, aws.S3.Endpoint, aws.S3.PathStyle));
    }

    [Theory]
    [InlineData("COP_OBJECT_STORE=ftp", "cop.objects.store = ftp: must be local or s3")]
    [InlineData("COP_OBJECT_STORE=s3", "cop.objects.store = s3 needs cop.objects.s3.bucket (COP_S3_BUCKET)")]
    [InlineData("COP_OBJECT_STORE=s3;COP_S3_BUCKET=b", "needs cop.objects.s3.access-key and secret-key")]
    [InlineData("COP_OBJECT_STORE=s3;COP_S3_BUCKET=b;COP_S3_ACCESS_KEY=k;COP_S3_SECRET_KEY=s;COP_S3_ENDPOINT=127.0.0.1:9000", "cop.objects.s3.endpoint = 127.0.0.1:9000: must be an http(s) URL")]
    [InlineData("COP_OBJECT_STORE=s3;COP_S3_BUCKET=b;COP_S3_ACCESS_KEY=k;COP_S3_SECRET_KEY=s;COP_S3_PATH_STYLE=maybe", "cop.objects.s3.path-style = maybe: must be on or off")]
    public void A_bad_or_incomplete_setting_is_refused_naming_the_key(string env, string message)
    {
        var pairs = env.Split(';').Select(p => p.Split('=', 2)).Select(p => (p[0], p[1])).ToArray();
        Assert.Contains(message, Assert.Throws<ConfigurationException>(() => Read(pairs)).Message);
    }
}
