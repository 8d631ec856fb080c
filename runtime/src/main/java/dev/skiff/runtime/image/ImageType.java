package dev.skiff.runtime.image;

import java.util.Optional;

/**
 * What an upload is, told by its first bytes (never by the client's content type, which may lie).
 * Only PNG and JPEG are decoded; the others are named so a refusal says what was sent.
 */
public enum ImageType {
  PNG("png", true, new int[] {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}),
  JPEG("jpeg", true, new int[] {0xFF, 0xD8, 0xFF}),
  GIF("gif", false, new int[] {'G', 'I', 'F', '8'}),
  BMP("bmp", false, new int[] {'B', 'M'}),
  TIFF_LE("tiff", false, new int[] {'I', 'I', 0x2A, 0x00}),
  TIFF_BE("tiff", false, new int[] {'M', 'M', 0x00, 0x2A}),
  WEBP("webp", false, new int[] {'R', 'I', 'F', 'F', -1, -1, -1, -1, 'W', 'E', 'B', 'P'}),
  PDF("pdf", false, new int[] {'%', 'P', 'D', 'F'}),
  ZIP("zip", false, new int[] {'P', 'K', 0x03, 0x04});

  private final String formatName;
  private final boolean decodable;

  /** The file's first bytes; -1 matches any byte. Private, and never written after this. */
  @SuppressWarnings("ImmutableEnumChecker")
  private final int[] magic;

  ImageType(String formatName, boolean decodable, int[] magic) {
    this.formatName = formatName;
    this.decodable = decodable;
    this.magic = magic;
  }

  /** The ImageIO format name, also used in messages ({@code png}, {@code gif}). */
  public String formatName() {
    return formatName;
  }

  /** Whether the runtime decodes this type (PNG and JPEG). */
  public boolean decodable() {
    return decodable;
  }

  /** The type whose signature starts {@code bytes}; empty for anything unrecognised. */
  public static Optional<ImageType> detect(byte[] bytes) {
    for (ImageType type : values()) {
      if (type.matches(bytes)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code bytes} start with a signature of PNG or JPEG. */
  public static boolean looksDecodable(byte[] bytes) {
    return detect(bytes).map(ImageType::decodable).orElse(false);
  }

  private boolean matches(byte[] bytes) {
    if (bytes.length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (magic[i] >= 0 && (bytes[i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
