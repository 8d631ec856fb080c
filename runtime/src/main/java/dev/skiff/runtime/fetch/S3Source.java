package dev.skiff.runtime.fetch;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Reads {@code s3://bucket/key} with one GetObject; the SDK's own retries are off. */
final class S3Source implements ModelSource {
  private final S3Client client;
  private final String bucket;
  private final String key;

  S3Source(S3Client client, String bucket, String key) {
    this.client = client;
    this.bucket = bucket;
    this.key = key;
  }

  @Override
  public Body open() throws FetchException {
    String at = "s3://" + bucket + "/" + key;
    try {
      ResponseInputStream<GetObjectResponse> object =
          client.getObject(GetObjectRequest.builder().bucket(bucket).key(key).build());
      Long length = object.response().contentLength();
      return new Body(new SdkErrorsAsIo(object), length == null ? -1 : length);
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      throw FetchException.of(FetchReason.NOT_FOUND, at + " does not exist (" + code(e) + ")");
    } catch (S3Exception e) {
      int status = e.statusCode();
      if (status == 404) {
        throw FetchException.of(FetchReason.NOT_FOUND, at + " does not exist (" + code(e) + ")");
      }
      if (status == 429 || status >= 500) {
        throw FetchException.transientNetwork(at + ": HTTP " + status + " " + code(e), e);
      }
      if (status == 401 || status == 403) {
        throw FetchException.of(
            FetchReason.FAILED,
            at
                + ": access denied (HTTP "
                + status
                + " "
                + code(e)
                + "); check the credentials and that the object exists");
      }
      throw FetchException.of(FetchReason.FAILED, at + ": HTTP " + status + " " + code(e), e);
    } catch (SdkClientException e) {
      throw FetchException.transientNetwork(at + ": " + e.getMessage(), e);
    }
  }

  private static String code(S3Exception e) {
    return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null
        ? e.getClass().getSimpleName()
        : e.awsErrorDetails().errorCode();
  }

  /** The SDK may throw unchecked exceptions while streaming; the copier expects IOException. */
  private static final class SdkErrorsAsIo extends FilterInputStream {
    SdkErrorsAsIo(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      try {
        return super.read();
      } catch (SdkException e) {
        throw new IOException(e.getMessage(), e);
      }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      try {
        return super.read(b, off, len);
      } catch (SdkException e) {
        throw new IOException(e.getMessage(), e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } catch (SdkException e) {
        throw new IOException(e.getMessage(), e);
      }
    }
  }
}
