package dev.skiff.api.contract;

/** Environment variables the runtime reads, so a pod spec can set what its command line leaves. */
public final class RuntimeEnvironment {

  /** {@link Device#value()}: the default of serve mode's {@code --device}. */
  public static final String DEVICE = "SKIFF_DEVICE";

  /** Comma-separated bearer tokens, added to those of {@code --auth-tokens-file}. */
  public static final String AUTH_TOKENS = "SKIFF_AUTH_TOKENS";

  /** {@code true} lets fetch mode's http(s) URIs point at loopback and private addresses. */
  public static final String FETCH_ALLOW_PRIVATE_ADDRESSES = "SKIFF_FETCH_ALLOW_PRIVATE_ADDRESSES";

  /** Endpoint of an S3-compatible store for fetch mode. */
  public static final String S3_ENDPOINT = "SKIFF_S3_ENDPOINT";

  private RuntimeEnvironment() {}
}
