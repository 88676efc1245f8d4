namespace Cop.Persistence.Objects;

/// <summary>An S3-compatible bucket (AWS, MinIO, s3rver...): endpoint (empty for AWS itself),
/// credentials, region and whether keys go in the path (most self-hosted servers) or the host name.</summary>
public sealed record S3ObjectSettings(string Bucket, string? Endpoint, string AccessKey, string SecretKey, string Region, bool PathStyle);
