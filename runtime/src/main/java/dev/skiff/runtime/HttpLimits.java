package dev.skiff.runtime;

/** Socket settings shared by the serve and route modes, chosen rather than left to defaults. */
public final class HttpLimits {
  /** Bytes buffered per connection before a write reaches the socket. */
  public static final int WRITE_BUFFER_BYTES = 64 * 1024;

  /** Connections the kernel queues before the server accepts them (bursts of new clients). */
  public static final int BACKLOG = 1024;

  private HttpLimits() {}
}
