package dev.skiff.runtime.fetch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.UnixStat;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds real tar.gz and zip archives, hostile ones included, byte for byte. */
final class TestArchives {
  enum Type {
    FILE,
    DIR,
    SYMLINK,
    HARDLINK,
    FIFO,
    CHAR_DEVICE,
    BLOCK_DEVICE,
    /** Zip only: a unix socket, which tar cannot hold. */
    SOCKET,
    /** Tar only: a GNU dump-directory entry (type 'D'), one of the types no extractor writes. */
    GNU_DUMPDIR
  }

  // The S_IFMT file types of stat(2) that UnixStat does not name, for zip entries' unix mode.
  private static final int S_IFIFO = 0010000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFSOCK = 0140000;

  record Entry(Type type, String name, String content) {}

  private final List<Entry> entries = new ArrayList<>();

  static TestArchives archive() {
    return new TestArchives();
  }

  TestArchives file(String name, String content) {
    entries.add(new Entry(Type.FILE, name, content));
    return this;
  }

  TestArchives dir(String name) {
    entries.add(new Entry(Type.DIR, name, null));
    return this;
  }

  TestArchives symlink(String name, String target) {
    entries.add(new Entry(Type.SYMLINK, name, target));
    return this;
  }

  TestArchives hardlink(String name, String target) {
    entries.add(new Entry(Type.HARDLINK, name, target));
    return this;
  }

  /** A special file: a fifo or device (tar and zip), or a socket (zip only), with no content. */
  TestArchives special(Type type, String name) {
    entries.add(new Entry(type, name, null));
    return this;
  }

  byte[] tarGz() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Entry e : entries) {
        TarArchiveEntry entry =
            switch (e.type()) {
              case FILE -> new TarArchiveEntry(e.name(), true);
              case DIR -> new TarArchiveEntry(e.name(), true);
              case SYMLINK -> new TarArchiveEntry(e.name(), TarConstants.LF_SYMLINK, true);
              case HARDLINK -> new TarArchiveEntry(e.name(), TarConstants.LF_LINK, true);
              case FIFO -> new TarArchiveEntry(e.name(), TarConstants.LF_FIFO, true);
              case CHAR_DEVICE -> new TarArchiveEntry(e.name(), TarConstants.LF_CHR, true);
              case BLOCK_DEVICE -> new TarArchiveEntry(e.name(), TarConstants.LF_BLK, true);
              case SOCKET -> throw new IllegalArgumentException("tar has no sockets");
              case GNU_DUMPDIR -> new TarArchiveEntry(e.name(), (byte) 'D', true);
            };
        byte[] content = new byte[0];
        switch (e.type()) {
          case FILE -> {
            content = e.content().getBytes(StandardCharsets.UTF_8);
            entry.setSize(content.length);
          }
          case DIR -> entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE);
          case SYMLINK, HARDLINK -> entry.setLinkName(e.content());
          case CHAR_DEVICE, BLOCK_DEVICE -> {
            entry.setDevMajor(1); // /dev/null's numbers, as a hostile archive would carry
            entry.setDevMinor(3);
          }
          case FIFO, SOCKET, GNU_DUMPDIR -> {}
        }
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  byte[] zip() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
      for (Entry e : entries) {
        ZipArchiveEntry entry = new ZipArchiveEntry(e.name());
        byte[] content = new byte[0];
        switch (e.type()) {
          case FILE -> content = e.content().getBytes(StandardCharsets.UTF_8);
          case DIR -> {}
          case SYMLINK -> {
            entry.setUnixMode(UnixStat.LINK_FLAG | 0777);
            content = e.content().getBytes(StandardCharsets.UTF_8);
          }
          case HARDLINK -> throw new IllegalArgumentException("zip has no hard links");
          case FIFO -> entry.setUnixMode(S_IFIFO | 0644);
          case CHAR_DEVICE -> entry.setUnixMode(S_IFCHR | 0644);
          case BLOCK_DEVICE -> entry.setUnixMode(S_IFBLK | 0644);
          case SOCKET -> entry.setUnixMode(S_IFSOCK | 0644);
          case GNU_DUMPDIR -> throw new IllegalArgumentException("zip has no dump directories");
        }
        zip.putArchiveEntry(entry);
        zip.write(content);
        zip.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
