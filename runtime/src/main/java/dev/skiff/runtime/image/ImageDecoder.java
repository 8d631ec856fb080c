package dev.skiff.runtime.image;

import dev.skiff.runtime.web.ApiException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes uploaded PNG and JPEG files with the JDK's ImageIO, distrusting them: the type comes from
 * the file's signature, the dimensions from its header are checked against a pixel limit before any
 * pixel is decoded (a 100 kB PNG can claim 100000 x 100000 pixels), a truncated or corrupt file is
 * refused (ImageIO only warns about a truncated JPEG, so warnings are errors here), and at most one
 * decode per core runs at once, which bounds the memory decoded images hold.
 */
public final class ImageDecoder {
  /** The default limit: 40 megapixels (about 160 MB decoded). */
  public static final long DEFAULT_MAX_PIXELS = 40_000_000L;

  private final long maxPixels;
  private final Semaphore decoding;

  public ImageDecoder(long maxPixels) {
    this(maxPixels, Runtime.getRuntime().availableProcessors());
  }

  ImageDecoder(long maxPixels, int concurrentDecodes) {
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be >= 1");
    }
    this.maxPixels = maxPixels;
    this.decoding = new Semaphore(concurrentDecodes);
  }

  public long maxPixels() {
    return maxPixels;
  }

  /**
   * The decoded image.
   *
   * @throws ApiException 415 for a type other than PNG or JPEG, 413 for an image over the pixel
   *     limit, 400 for an empty, truncated or corrupt file
   */
  public BufferedImage decode(byte[] bytes) {
    if (bytes.length == 0) {
      throw ApiException.badRequest("the image is empty (0 bytes)");
    }
    ImageType type =
        ImageType.detect(bytes)
            .orElseThrow(
                () ->
                    ApiException.unsupportedMediaType(
                        "the upload is not an image the runtime reads (its first bytes match no"
                            + " known image signature); send PNG or JPEG"));
    if (!type.decodable()) {
      throw ApiException.unsupportedMediaType(
          "the upload is a "
              + type.formatName().toUpperCase(Locale.ROOT)
              + " image; send PNG or JPEG");
    }
    try {
      decoding.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApiException.unavailable("interrupted while waiting to decode the image");
    }
    try {
      return read(type, bytes);
    } finally {
      decoding.release();
    }
  }

  private BufferedImage read(ImageType type, byte[] bytes) {
    String name = type.formatName().toUpperCase(Locale.ROOT);
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(type.formatName());
    if (!readers.hasNext()) {
      throw ApiException.internal("this JDK has no ImageIO reader for " + name);
    }
    ImageReader reader = readers.next();
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      long width = reader.getWidth(0);
      long height = reader.getHeight(0);
      if (width < 1 || height < 1) {
        throw ApiException.badRequest(name + " header claims an empty image");
      }
      if (width * height > maxPixels) {
        throw ApiException.payloadTooLarge(
            "the "
                + name
                + " image is "
                + width
                + "x"
                + height
                + " = "
                + width * height
                + " pixels, over the limit of "
                + maxPixels
                + " (--max-image-pixels)");
      }
      StringBuilder warnings = new StringBuilder();
      reader.addIIOReadWarningListener(warningsInto(warnings));
      BufferedImage image = reader.read(0);
      if (!warnings.isEmpty()) {
        throw ApiException.badRequest(
            "the " + name + " image is truncated or corrupt: " + warnings);
      }
      return image;
    } catch (ApiException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // ImageIO reports damage as IIOException, EOFException, or (inside its codecs) as
      // IndexOutOfBounds and the like: all mean the file is broken.
      throw ApiException.badRequest(
          "the " + name + " image is truncated or corrupt: " + describe(e));
    } finally {
      reader.dispose();
    }
  }

  private static IIOReadWarningListener warningsInto(StringBuilder warnings) {
    return (source, warning) -> {
      if (warnings.length() < 200) {
        warnings.append(warnings.isEmpty() ? "" : "; ").append(warning);
      }
    };
  }

  @SuppressWarnings("ReferenceEquality") // a cause that is the exception itself adds nothing
  private static String describe(Throwable e) {
    String message = e.getMessage();
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null && cause != e) {
      message = (message == null ? "" : message + ": ") + cause.getMessage();
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }
}
