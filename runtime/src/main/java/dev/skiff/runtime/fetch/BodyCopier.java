package dev.skiff.runtime.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * Streams one opened object into a file while enforcing the size cap, the read timeout and the
 * announced length, and computes its sha256 on the way (the file is never read twice).
 */
final class BodyCopier {

  /** What was written. */
  record Copied(long bytes, String sha256) {}

  private final ScheduledExecutorService timer;
  private final Duration readTimeout;
  private final long maxBytes;
  private final Duration progressInterval;
  private final Consumer<String> log;

  BodyCopier(
      ScheduledExecutorService timer,
      Duration readTimeout,
      long maxBytes,
      Duration progressInterval,
      Consumer<String> log) {
    this.timer = timer;
    this.readTimeout = readTimeout;
    this.maxBytes = maxBytes;
    this.progressInterval = progressInterval;
    this.log = log;
  }

  /** Copies {@code body} into {@code target} (created or truncated); closes the body. */
  Copied copy(Body body, Path target, String what) throws FetchException {
    try (body) {
      if (body.length() > maxBytes) {
        throw tooLarge(what + " is " + body.length() + " bytes");
      }
      MessageDigest sha256 = sha256();
      ProgressLog progress = new ProgressLog(what, body.length(), progressInterval, log);
      long count = 0;
      try (FileChannel out = open(target);
          StallWatchdog watchdog = new StallWatchdog(timer, readTimeout, body.stream())) {
        InputStream in = body.stream();
        byte[] buffer = new byte[64 * 1024];
        while (true) {
          int n;
          try {
            n = in.read(buffer);
          } catch (IOException e) {
            throw readFailure(what, count, watchdog.stalled(), e);
          }
          if (n < 0) {
            break;
          }
          watchdog.progress();
          count += n;
          if (count > maxBytes) {
            throw tooLarge(what + " is larger than that (stopped after " + count + " bytes)");
          }
          sha256.update(buffer, 0, n);
          write(out, buffer, n, target, watchdog);
          progress.update(count);
        }
        watchdog.close(); // no late interrupt may hit the fsync below
        if (watchdog.stalled()) {
          throw readFailure(what, count, true, null);
        }
        if (body.length() >= 0 && count != body.length()) {
          throw FetchException.transientNetwork(
              what + ": the body ended after " + count + " of " + body.length() + " bytes", null);
        }
        force(out, target);
      }
      progress.done(count);
      return new Copied(count, HexFormat.of().formatHex(sha256.digest()));
    } catch (IOException e) {
      // closing the body failed after everything was read: nothing lost
      throw FetchException.transientNetwork(what + ": " + e.getMessage(), e);
    }
  }

  private FetchException tooLarge(String detail) {
    return FetchException.of(
        FetchReason.TOO_LARGE, detail + ", over the limit of " + maxBytes + " bytes (--max-bytes)");
  }

  private FetchException readFailure(String what, long count, boolean stalled, IOException e) {
    if (stalled) {
      return FetchException.transientNetwork(
          what
              + ": no data for "
              + readTimeout.toMillis()
              + " ms after "
              + count
              + " bytes (--read-timeout)",
          e);
    }
    return FetchException.transientNetwork(
        what + ": reading failed after " + count + " bytes: " + describe(e), e);
  }

  private static void write(FileChannel out, byte[] buffer, int n, Path target, StallWatchdog dog)
      throws FetchException {
    try {
      ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
      while (bytes.hasRemaining()) {
        out.write(bytes);
      }
    } catch (IOException e) {
      if (dog.stalled()) {
        throw FetchException.transientNetwork("the read stalled", e);
      }
      throw FetchException.of(FetchReason.FAILED, "cannot write " + target + ": " + describe(e), e);
    }
  }

  private static FileChannel open(Path target) throws FetchException {
    try {
      return FileChannel.open(
          target,
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw FetchException.of(
          FetchReason.FAILED, "cannot create " + target + ": " + describe(e), e);
    }
  }

  private static void force(FileChannel out, Path target) throws FetchException {
    try {
      out.force(true);
    } catch (IOException e) {
      throw FetchException.of(FetchReason.FAILED, "cannot write " + target + ": " + describe(e), e);
    }
  }

  static String describe(Throwable e) {
    if (e == null) {
      return "unknown error";
    }
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getSimpleName()
        : e.getClass().getSimpleName() + ": " + message;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
