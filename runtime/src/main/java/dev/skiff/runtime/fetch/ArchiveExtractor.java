package dev.skiff.runtime.fetch;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a tar, tar.gz or zip into an empty folder, refusing anything that could land outside it:
 * names with {@code ..} or absolute paths ({@link EntryPaths}), entries written through a symbolic
 * link, links whose real target is outside, hard links to anything but a file the archive already
 * contained (copied, not linked), and device or fifo entries. Entry count and bytes written are
 * capped while writing, so a zip bomb stops at the cap whatever its headers claim.
 */
final class ArchiveExtractor {
  private static final int MAX_LINK_TARGET = 4096;
  // stat(2)'s file types that UnixStat does not name
  private static final int S_IFIFO = 0010000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFSOCK = 0140000;

  private final int maxEntries;
  private final long maxBytes;

  ArchiveExtractor(int maxEntries, long maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
  }

  /** Extracts {@code archive} into {@code target}, which must be an empty folder. */
  void extract(Path archive, ArchiveKind kind, Path target) throws FetchException {
    Extraction extraction;
    try {
      extraction = new Extraction(target.toRealPath());
    } catch (IOException e) {
      throw FetchException.of(FetchReason.FAILED, "cannot use " + target + ": " + e, e);
    }
    switch (kind) {
      case TAR_GZ, TAR -> extractTar(archive, kind == ArchiveKind.TAR_GZ, extraction);
      case ZIP -> extractZip(archive, extraction);
      case NONE -> throw new IllegalArgumentException("not an archive: " + archive);
      default -> throw new IllegalStateException(kind.toString());
    }
    extraction.checkLinks();
  }

  private void extractTar(Path archive, boolean gzip, Extraction extraction) throws FetchException {
    try (InputStream file = new BufferedInputStream(Files.newInputStream(archive));
        InputStream raw = gzip ? new GzipCompressorInputStream(file, true) : file;
        TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
      TarArchiveEntry entry;
      while ((entry = nextTarEntry(tar)) != null) {
        Path relative = extraction.admit(entry.getName());
        // before the root-folder skip and before isDirectory(), which a trailing '/' satisfies:
        // no special entry passes, whatever its name
        String special = specialTarType(entry);
        if (special != null) {
          throw refusedSpecial(relative, special);
        }
        if (relative == null) {
          continue;
        }
        if (entry.isDirectory()) {
          extraction.directory(relative);
        } else if (entry.isSymbolicLink()) {
          extraction.symlink(relative, entry.getLinkName());
        } else if (entry.isLink()) {
          extraction.hardLink(relative, entry.getLinkName());
        } else {
          extraction.file(relative, tar);
        }
      }
    } catch (IOException e) {
      throw bad("cannot read the archive: " + BodyCopier.describe(e));
    }
  }

  /**
   * What a tar entry is when it is none of the kinds extracted, for the refusal; null for a file,
   * folder or link. An allow-list on the type flag, because commons-compress's {@code isFile()} is
   * true for every type it does not know, fifos and devices included.
   */
  private static String specialTarType(TarArchiveEntry entry) {
    return switch (entry.getLinkFlag()) {
      // '7' (contiguous) and GNU 'S' (sparse) are regular files to tar and to commons-compress
      case TarConstants.LF_OLDNORM,
          TarConstants.LF_NORMAL,
          TarConstants.LF_CONTIG,
          TarConstants.LF_GNUTYPE_SPARSE,
          TarConstants.LF_DIR,
          TarConstants.LF_SYMLINK,
          TarConstants.LF_LINK ->
          null;
      case TarConstants.LF_FIFO -> "a fifo";
      case TarConstants.LF_CHR -> "a character device";
      case TarConstants.LF_BLK -> "a block device";
      default -> "a special entry of tar type " + typeFlag(entry.getLinkFlag());
    };
  }

  /** {@code 'V'}, or {@code 0x01} for a flag that is not printable. */
  private static String typeFlag(byte flag) {
    return flag > 0x20 && flag < 0x7f
        ? "'" + (char) flag + "'"
        : String.format(Locale.ROOT, "0x%02x", flag & 0xff);
  }

  /**
   * What a zip entry's unix mode says it is when that is not a file, folder or link, for the
   * refusal; null otherwise. Zip has no special entries of its own, but the mode (of an archive
   * made on unix) carries stat's file type, and a fifo or device there is refused as in a tar
   * rather than written as a plain file.
   */
  private static String specialZipType(ZipArchiveEntry entry) {
    int type = entry.getUnixMode() & UnixStat.FILE_TYPE_FLAG; // 0 when made elsewhere
    return switch (type) {
      case 0, UnixStat.FILE_FLAG, UnixStat.DIR_FLAG, UnixStat.LINK_FLAG -> null;
      case S_IFIFO -> "a fifo";
      case S_IFCHR -> "a character device";
      case S_IFBLK -> "a block device";
      case S_IFSOCK -> "a socket";
      default -> "a special file of unix type 0" + Integer.toOctalString(type);
    };
  }

  private static FetchException refusedSpecial(Path relative, String what) {
    return bad(
        "entry '"
            + (relative == null ? "." : relative)
            + "' is "
            + what
            + "; only files, folders and links are extracted");
  }

  private static TarArchiveEntry nextTarEntry(TarArchiveInputStream tar) throws FetchException {
    try {
      return tar.getNextEntry();
    } catch (IOException | IllegalArgumentException e) {
      throw bad("corrupt tar archive: " + BodyCopier.describe(e));
    }
  }

  private void extractZip(Path archive, Extraction extraction) throws FetchException {
    try (ZipFile zip = ZipFile.builder().setPath(archive).get()) {
      Enumeration<ZipArchiveEntry> entries = zip.getEntriesInPhysicalOrder();
      while (entries.hasMoreElements()) {
        ZipArchiveEntry entry = entries.nextElement();
        Path relative = extraction.admit(entry.getName());
        String special = specialZipType(entry);
        if (special != null) {
          throw refusedSpecial(relative, special + " (unix mode in the zip)");
        }
        if (relative == null) {
          continue;
        }
        if (!zip.canReadEntryData(entry)) {
          throw bad("entry '" + relative + "' uses an unsupported compression or encryption");
        }
        if (entry.isUnixSymlink()) {
          extraction.symlink(relative, linkTarget(zip, entry));
        } else if (entry.isDirectory()) {
          extraction.directory(relative);
        } else {
          try (InputStream in = zip.getInputStream(entry)) {
            extraction.file(relative, in);
          }
        }
      }
    } catch (IOException e) {
      throw bad("cannot read the zip archive: " + BodyCopier.describe(e));
    }
  }

  private static String linkTarget(ZipFile zip, ZipArchiveEntry entry) throws IOException {
    try (InputStream in = zip.getInputStream(entry)) {
      byte[] bytes = in.readNBytes(MAX_LINK_TARGET + 1);
      if (bytes.length > MAX_LINK_TARGET) {
        throw new IOException("link target of '" + entry.getName() + "' is too long");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  private static FetchException bad(String message) {
    return FetchException.of(FetchReason.BAD_ARCHIVE, message);
  }

  /** The state of one extraction: the root, the counters, the links made. */
  private final class Extraction {
    private final Path root;
    private final List<Path> links = new ArrayList<>();
    private int entries;
    private long bytes;

    Extraction(Path root) {
      this.root = root;
    }

    /** Counts the entry and checks its name; null for the root folder itself. */
    Path admit(String name) throws FetchException {
      if (++entries > maxEntries) {
        throw FetchException.of(
            FetchReason.TOO_LARGE,
            "the archive has more than " + maxEntries + " entries (--max-archive-entries)");
      }
      Path relative = EntryPaths.relative(name);
      if (relative != null) {
        checkNoLinkOnTheWay(relative);
      }
      return relative;
    }

    void directory(Path relative) throws FetchException {
      Path out = root.resolve(relative);
      if (Files.isSymbolicLink(out)) {
        throw bad("entry '" + relative + "' would replace a symbolic link");
      }
      createDirectories(out);
    }

    void file(Path relative, InputStream in) throws FetchException, IOException {
      Path out = root.resolve(relative);
      createDirectories(out.getParent());
      try (OutputStream os =
          Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          bytes += n;
          if (bytes > maxBytes) {
            throw FetchException.of(
                FetchReason.TOO_LARGE,
                "the archive unpacks to more than " + maxBytes + " bytes (--max-extracted-bytes)");
          }
          write(os, buffer, n, out);
        }
      } catch (FileAlreadyExistsException e) {
        throw bad("entry '" + relative + "' appears twice in the archive");
      }
    }

    void symlink(Path relative, String target) throws FetchException {
      EntryPaths.checkLinkTarget(relative, target);
      Path out = root.resolve(relative);
      createDirectories(out.getParent());
      try {
        Files.createSymbolicLink(out, Path.of(target));
      } catch (FileAlreadyExistsException e) {
        throw bad("entry '" + relative + "' appears twice in the archive");
      } catch (IOException e) {
        throw FetchException.of(
            FetchReason.FAILED, "cannot create link " + out + ": " + BodyCopier.describe(e), e);
      }
      links.add(out);
    }

    void hardLink(Path relative, String targetName) throws FetchException {
      Path target = EntryPaths.relative(targetName);
      if (target == null) {
        throw bad("hard link '" + relative + "' points at the destination folder itself");
      }
      checkNoLinkOnTheWay(target);
      Path source = root.resolve(target);
      if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
        throw bad(
            "hard link '"
                + relative
                + "' points at '"
                + EntryPaths.printable(targetName)
                + "', which is not a file extracted before it");
      }
      try (InputStream in = Files.newInputStream(source)) {
        file(relative, in);
      } catch (IOException e) {
        throw FetchException.of(
            FetchReason.FAILED, "cannot copy " + source + ": " + BodyCopier.describe(e), e);
      }
    }

    /** After extraction: every link's real target exists and is inside the root. */
    void checkLinks() throws FetchException {
      for (Path link : links) {
        Path real;
        try {
          real = link.toRealPath();
        } catch (NoSuchFileException e) {
          throw bad("link '" + root.relativize(link) + "' points at nothing in the archive");
        } catch (FileSystemException e) {
          throw bad("link '" + root.relativize(link) + "' cannot be resolved: " + e.getReason());
        } catch (IOException e) {
          throw bad("link '" + root.relativize(link) + "' cannot be resolved: " + e);
        }
        if (!real.startsWith(root)) {
          throw bad("link '" + root.relativize(link) + "' resolves outside the destination");
        }
      }
    }

    /** Refuses writing through a link: {@code a -> ..} then {@code a/b} would escape. */
    private void checkNoLinkOnTheWay(Path relative) throws FetchException {
      Path current = root;
      for (int i = 0; i < relative.getNameCount() - 1; i++) {
        current = current.resolve(relative.getName(i));
        if (Files.isSymbolicLink(current)) {
          throw bad(
              "entry '"
                  + relative
                  + "' would be written through the link '"
                  + root.relativize(current)
                  + "'");
        }
      }
      if (Files.isSymbolicLink(root.resolve(relative))) {
        throw bad("entry '" + relative + "' would replace a symbolic link");
      }
    }

    private void createDirectories(Path dir) throws FetchException {
      try {
        Files.createDirectories(dir);
      } catch (FileAlreadyExistsException e) {
        throw bad("'" + root.relativize(dir) + "' is both a file and a folder in the archive");
      } catch (IOException e) {
        throw FetchException.of(
            FetchReason.FAILED, "cannot create " + dir + ": " + BodyCopier.describe(e), e);
      }
    }

    private void write(OutputStream os, byte[] buffer, int n, Path out) throws FetchException {
      try {
        os.write(buffer, 0, n);
      } catch (IOException e) {
        throw FetchException.of(
            FetchReason.FAILED, "cannot write " + out + ": " + BodyCopier.describe(e), e);
      }
    }
  }
}
