package dev.skiff.runtime.fetch;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;

/**
 * An opened object: its byte stream and its length when the source said it.
 *
 * @param stream the bytes; closed by the caller
 * @param length the announced length, or -1 when the source did not say
 */
record Body(InputStream stream, long length) implements Closeable {
  @Override
  public void close() throws IOException {
    stream.close();
  }
}
