package dev.skiff.runtime.fetch;

import java.nio.file.Path;

/**
 * The lexical rules an archive entry's name and link target must pass before anything is written
 * (Zip Slip and its tar cousins). {@link ArchiveExtractor} adds the checks that need the file
 * system: no entry written through a link, every link's real target inside.
 */
final class EntryPaths {
  private EntryPaths() {}

  /**
   * The entry's path relative to the extraction root, or null for the root itself ({@code ./}).
   * Absolute names, drive letters, backslashes, NUL and {@code ..} segments are refused: no model
   * archive needs them and each has been an escape somewhere.
   */
  static Path relative(String name) throws FetchException {
    if (name == null || name.isEmpty()) {
      throw bad("an entry has an empty name");
    }
    if (name.indexOf('\0') >= 0) {
      throw bad("entry '" + printable(name) + "' has a NUL character in its name");
    }
    if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
      throw bad("entry '" + printable(name) + "' has an absolute path");
    }
    if (name.indexOf('\\') >= 0) {
      throw bad("entry '" + printable(name) + "' has a backslash in its name");
    }
    StringBuilder clean = new StringBuilder();
    for (String segment : name.split("/", -1)) {
      if (segment.equals("..")) {
        throw bad("entry '" + printable(name) + "' has a '..' segment (path traversal)");
      }
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (!clean.isEmpty()) {
        clean.append('/');
      }
      clean.append(segment);
    }
    return clean.isEmpty() ? null : Path.of(clean.toString());
  }

  /**
   * Checks a symbolic link's target, as written in the archive, for the link at {@code entry}
   * (relative to the root): it must be relative and, resolved from the link's folder, stay inside.
   */
  static void checkLinkTarget(Path entry, String target) throws FetchException {
    if (target == null || target.isEmpty()) {
      throw bad("link '" + entry + "' has an empty target");
    }
    if (target.indexOf('\0') >= 0 || target.indexOf('\\') >= 0) {
      throw bad("link '" + entry + "' has an unusual target '" + printable(target) + "'");
    }
    if (target.startsWith("/") || target.matches("^[A-Za-z]:.*")) {
      throw bad("link '" + entry + "' points at the absolute path '" + printable(target) + "'");
    }
    Path from = entry.getParent() == null ? Path.of("") : entry.getParent();
    Path resolved = from.resolve(target).normalize();
    if (resolved.startsWith("..") || resolved.isAbsolute()) {
      throw bad(
          "link '" + entry + "' points at '" + printable(target) + "', outside the destination");
    }
  }

  static String printable(String text) {
    String shown = text.length() > 200 ? text.substring(0, 200) + "…" : text;
    return shown.replaceAll("\\p{Cntrl}", "?");
  }

  private static FetchException bad(String message) {
    return FetchException.of(FetchReason.BAD_ARCHIVE, message);
  }
}
