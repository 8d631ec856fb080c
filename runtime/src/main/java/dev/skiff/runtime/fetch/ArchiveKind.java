package dev.skiff.runtime.fetch;

import java.util.Locale;

/** How a downloaded file is laid into the version folder, told by its name. */
enum ArchiveKind {
  /** A model file, kept under its own name. */
  NONE,
  TAR_GZ,
  TAR,
  ZIP;

  static ArchiveKind of(String fileName) {
    String name = fileName.toLowerCase(Locale.ROOT);
    if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
      return TAR_GZ;
    }
    if (name.endsWith(".tar")) {
      return TAR;
    }
    if (name.endsWith(".zip")) {
      return ZIP;
    }
    return NONE;
  }
}
