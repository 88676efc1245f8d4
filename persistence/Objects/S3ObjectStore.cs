using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cop.Persistence.Objects;

/// <summary>
/// The object store as an S3-compatible bucket (AWSSDK.S3). Checksums are sent and checked only when
/// the operation requires them: the SDK's default (a CRC trailer on every upload, in aws-chunked
/// encoding) is not understood by every S3-protocol server, and Cop checks its files by SHA-256.
/// </summary>
public sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _s3;
    private readonly S3ObjectSettings _settings;

    public S3ObjectStore(S3ObjectSettings settings)
    {
        _settings = settings;
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.PathStyle,
            AuthenticationRegion = settings.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 2,
        };
        if (string.IsNullOrEmpty(settings.Endpoint)) config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(settings.Region);
        else config.ServiceURL = settings.Endpoint;
        _s3 = new AmazonS3Client(new BasicAWSCredentials(settings.AccessKey, settings.SecretKey), config);
    }

    public string Location(string key) => $"s3://{_settings.Bucket}/{key}";

    public async Task PutFileAsync(string key, string localPath, CancellationToken ct = default)
    {
        await Call(key, () => _s3.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _settings.Bucket, Key = key, FilePath = localPath, UseChunkEncoding = false,
        }, ct));
    }

    public async Task GetFileAsync(string key, string localPath, CancellationToken ct = default)
    {
        using var response = await Call(key, () => _s3.GetObjectAsync(_settings.Bucket, key, ct));
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(localPath))!);
        var temporary = localPath + ".tmp";
        await using (var output = File.Create(temporary))
            await response.ResponseStream.CopyToAsync(output, ct);
        File.Move(temporary, localPath, overwrite: true);
    }

    public async Task<IReadOnlyList<StoredObject>> ListAsync(string prefix, CancellationToken ct = default)
    {
        var found = new List<StoredObject>();
        var request = new ListObjectsV2Request { BucketName = _settings.Bucket, Prefix = prefix };
        while (true)
        {
            var page = await Call(prefix, () => _s3.ListObjectsV2Async(request, ct));
            found.AddRange((page.S3Objects ?? []).Select(o => new StoredObject(o.Key, o.Size ?? 0)));
            if (page.IsTruncated != true) break;
            request.ContinuationToken = page.NextContinuationToken;
        }
        return [.. found.OrderBy(o => o.Key, StringComparer.Ordinal)];
    }

    /// <summary>S3's failures as one line naming the bucket and key: a missing key or bucket, refused
    /// credentials, an unreachable endpoint.</summary>
    private async Task<T> Call<T>(string key, Func<Task<T>> call)
    {
        var where = $"{Location(key)} (endpoint {_settings.Endpoint ?? "AWS " + _settings.Region})";
        try { return await call(); }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound || e.ErrorCode is "NoSuchKey" or "NoSuchBucket")
        {
            throw new ObjectNotFoundException(e.ErrorCode == "NoSuchBucket"
                ? $"bucket {_settings.Bucket} does not exist at {where}"
                : $"object {key} is not in the object store {where}");
        }
        catch (AmazonS3Exception e)
        {
            throw new IOException($"object store {where} refused the request: {e.StatusCode} {e.ErrorCode} {e.Message}");
        }
        catch (AmazonServiceException e)
        {
            throw new IOException($"object store {where} is unreachable: {e.InnerException?.Message ?? e.Message}");
        }
        catch (HttpRequestException e)
        {
            throw new IOException($"object store {where} is unreachable: {e.Message}");
        }
        catch (AmazonClientException e)
        {
            throw new IOException($"object store {where}: {e.Message}");
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new IOException($"object store {where} did not answer in time");
        }
    }

    public void Dispose() => _s3.Dispose();
}
