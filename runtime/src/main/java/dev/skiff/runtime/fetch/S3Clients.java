package dev.skiff.runtime.fetch;

import java.util.logging.Logger;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the S3 client for {@code s3://} URIs: the JDK's HTTP connection (no Netty or Apache client
 * in the image), the fetch timeouts, no SDK retries (the {@link Retrier} decides), and the standard
 * credential chain (environment, web identity for IRSA, profile, container and instance
 * credentials), falling back to anonymous requests for public buckets when the chain finds nothing.
 */
final class S3Clients {
  private static final Logger LOG = Logger.getLogger(S3Clients.class.getName());

  private S3Clients() {}

  static S3Client create(FetchOptions options) throws FetchException {
    return create(options, defaultOrAnonymous());
  }

  static S3Client create(FetchOptions options, AwsCredentialsProvider credentials)
      throws FetchException {
    if (options.s3Endpoint() != null) {
      // the endpoint is installation configuration, not user input: private ranges are fine
      // (in-cluster MinIO), metadata and link-local addresses are still refused
      AddressPolicy.check(options.s3Endpoint().getHost(), true);
    }
    var builder =
        S3Client.builder()
            .region(Region.of(options.s3Region()))
            .credentialsProvider(credentials)
            .httpClient(
                UrlConnectionHttpClient.builder()
                    .connectionTimeout(options.connectTimeout())
                    .socketTimeout(options.readTimeout())
                    .build())
            .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .forcePathStyle(options.s3PathStyleEffective());
    if (options.s3Endpoint() != null) {
      builder.endpointOverride(options.s3Endpoint());
    }
    return builder.build();
  }

  private static AwsCredentialsProvider defaultOrAnonymous() {
    DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
    try {
      chain.resolveCredentials();
      return chain;
    } catch (SdkClientException e) {
      LOG.info("no AWS credentials found (" + e.getMessage() + "); using anonymous requests");
      return AnonymousCredentialsProvider.create();
    }
  }
}
