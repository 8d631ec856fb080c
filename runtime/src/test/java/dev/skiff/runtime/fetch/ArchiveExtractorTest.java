package dev.skiff.runtime.fetch;

import static dev.skiff.runtime.fetch.TestArchives.archive;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ArchiveExtractorTest {
  @TempDir Path tmp;
  private Path sandbox;
  private Path target;

  @BeforeEach
  void layout() throws IOException {
    // the target sits two levels down so '..' escapes land in folders the test can inspect
    sandbox = Files.createDirectories(tmp.resolve("sandbox"));
    target = Files.createDirectories(sandbox.resolve("models/iris/v1"));
  }

  static Stream<TestArchives> hostileArchives() {
    return Stream.of(
        archive().file("model.onnx", "ok").file("../evil", "pwned"),
        archive().file("model.onnx", "ok").file("a/../../evil", "pwned"),
        archive().file("/tmp/skiff-evil-absolute", "pwned"),
        archive().symlink("link", "../../../evil").file("model.onnx", "ok"),
        archive().symlink("link", "/etc/passwd"),
        archive().symlink("dir", "..").file("dir/evil", "pwned"),
        archive().dir("sub").symlink("sub/up", ".").file("sub/up/x", "through a link"),
        archive().file("model.onnx", "ok").file("model.onnx", "twice"),
        archive().symlink("dangling", "not-there"));
  }

  @ParameterizedTest
  @MethodSource("hostileArchives")
  void hostileTarGzIsBadArchiveAndWritesNothingOutside(TestArchives archive) throws IOException {
    Path file = tmp.resolve("a.tar.gz");
    Files.write(file, archive.tarGz());
    assertThatThrownBy(() -> extractor().extract(file, ArchiveKind.TAR_GZ, target))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.BAD_ARCHIVE));
    assertNothingOutsideTarget();
  }

  @ParameterizedTest
  @MethodSource("hostileArchives")
  void hostileZipIsBadArchiveAndWritesNothingOutside(TestArchives archive) throws IOException {
    Path file = tmp.resolve("a.zip");
    Files.write(file, archive.zip());
    assertThatThrownBy(() -> extractor().extract(file, ArchiveKind.ZIP, target))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.BAD_ARCHIVE));
    assertNothingOutsideTarget();
  }

  static Stream<Arguments> specialTarEntries() {
    return Stream.of(
        Arguments.of(TestArchives.Type.FIFO, "a fifo"),
        Arguments.of(TestArchives.Type.CHAR_DEVICE, "a character device"),
        Arguments.of(TestArchives.Type.BLOCK_DEVICE, "a block device"),
        // any type not on the allow-list, not only the three named ones
        Arguments.of(TestArchives.Type.GNU_DUMPDIR, "a special entry of tar type 'D'"));
  }

  @ParameterizedTest
  @MethodSource("specialTarEntries")
  void tarFifoOrDeviceIsBadArchiveNamingTheEntryAndItsType(
      TestArchives.Type type, String description) throws IOException {
    Path file = tmp.resolve("a.tar.gz");
    Files.write(
        file, archive().file("model.onnx", "ok").dir("dev/").special(type, "dev/null").tarGz());
    assertThatThrownBy(() -> extractor().extract(file, ArchiveKind.TAR_GZ, target))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.BAD_ARCHIVE))
        .hasMessage(
            "entry 'dev/null' is " + description + "; only files, folders and links are extracted");
    assertThat(target.resolve("dev/null")).doesNotExist();
    assertNothingOutsideTarget();
  }

  static Stream<Arguments> specialZipEntries() {
    return Stream.of(
        Arguments.of(TestArchives.Type.FIFO, "a fifo"),
        Arguments.of(TestArchives.Type.CHAR_DEVICE, "a character device"),
        Arguments.of(TestArchives.Type.BLOCK_DEVICE, "a block device"),
        Arguments.of(TestArchives.Type.SOCKET, "a socket"));
  }

  @ParameterizedTest
  @MethodSource("specialZipEntries")
  void zipEntryWithAFifoOrDeviceModeIsBadArchiveNamingTheEntryAndItsType(
      TestArchives.Type type, String description) throws IOException {
    // zip has no special entries, but its unix mode can claim one; docs/fetch.md refuses them
    // like tar's rather than writing the entry's bytes as a plain file
    Path file = tmp.resolve("a.zip");
    Files.write(file, archive().file("model.onnx", "ok").special(type, "dev/null").zip());
    assertThatThrownBy(() -> extractor().extract(file, ArchiveKind.ZIP, target))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.BAD_ARCHIVE))
        .hasMessage(
            "entry 'dev/null' is "
                + description
                + " (unix mode in the zip); only files, folders and links are extracted");
    assertThat(target.resolve("dev/null")).doesNotExist();
    assertNothingOutsideTarget();
  }

  @Test
  void hardLinkOutsideIsRefused() throws IOException {
    Path file = tmp.resolve("a.tar.gz");
    Files.write(file, archive().hardlink("passwd", "../../../../etc/passwd").tarGz());
    assertThatThrownBy(() -> extractor().extract(file, ArchiveKind.TAR_GZ, target))
        .hasMessageContaining("'..'");
    Files.write(file, archive().hardlink("passwd", "/etc/passwd").tarGz());
    assertThatThrownBy(() -> extractor().extract(file, ArchiveKind.TAR_GZ, target))
        .hasMessageContaining("absolute");
  }

  @Test
  void goodArchivesUnpackWithFoldersAndInsideLinks() throws Exception {
    TestArchives good =
        archive()
            .dir("./")
            .file("./model.onnx", "weights")
            .dir("assets/")
            .file("assets/labels.txt", "a,b")
            .symlink("labels.txt", "assets/labels.txt")
            .symlink("assets/self", "../model.onnx");
    Path tgz = tmp.resolve("good.tar.gz");
    Files.write(tgz, good.hardlink("copy.onnx", "model.onnx").tarGz());
    extractor().extract(tgz, ArchiveKind.TAR_GZ, target);
    assertThat(target.resolve("model.onnx")).hasContent("weights");
    assertThat(target.resolve("copy.onnx")).hasContent("weights");
    assertThat(target.resolve("labels.txt")).hasContent("a,b");
    assertThat(target.resolve("assets/self")).hasContent("weights");

    Path zipTarget = Files.createDirectories(sandbox.resolve("models/iris/v2"));
    Path zip = tmp.resolve("good.zip");
    Files.write(zip, archive().file("model.onnx", "zipped").symlink("m", "model.onnx").zip());
    extractor().extract(zip, ArchiveKind.ZIP, zipTarget);
    assertThat(zipTarget.resolve("m")).hasContent("zipped");
  }

  @Test
  void entryCountAndUnpackedSizeAreCapped() throws IOException {
    TestArchives many = archive();
    for (int i = 0; i < 11; i++) {
      many.file("f" + i, "x");
    }
    Path file = tmp.resolve("many.zip");
    Files.write(file, many.zip());
    assertThatThrownBy(
            () -> new ArchiveExtractor(10, 1 << 20).extract(file, ArchiveKind.ZIP, target))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.TOO_LARGE))
        .hasMessageContaining("more than 10 entries");

    Path bomb = tmp.resolve("bomb.tar.gz");
    Files.write(bomb, archive().file("zeros", "0".repeat(100_000)).tarGz());
    assertThat(Files.size(bomb))
        .isLessThan(1_000); // compresses well: the cap counts unpacked bytes
    Path other = Files.createDirectories(sandbox.resolve("models/iris/v3"));
    assertThatThrownBy(
            () -> new ArchiveExtractor(10, 50_000).extract(bomb, ArchiveKind.TAR_GZ, other))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.TOO_LARGE))
        .hasMessageContaining("more than 50000 bytes");
  }

  @Test
  void corruptArchiveIsBadArchive() throws IOException {
    Path file = tmp.resolve("corrupt.tar.gz");
    byte[] good = archive().file("model.onnx", "x".repeat(10_000)).tarGz();
    Files.write(file, Arrays.copyOf(good, good.length / 2));
    assertThatThrownBy(() -> extractor().extract(file, ArchiveKind.TAR_GZ, target))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.BAD_ARCHIVE));
    Path zip = tmp.resolve("corrupt.zip");
    Files.writeString(zip, "not a zip at all");
    assertThatThrownBy(() -> extractor().extract(zip, ArchiveKind.ZIP, target))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.BAD_ARCHIVE));
  }

  private static ArchiveExtractor extractor() {
    return new ArchiveExtractor(100, 1 << 20);
  }

  /** The only thing under the sandbox is the target folder (and its parents). */
  private void assertNothingOutsideTarget() throws IOException {
    try (Stream<Path> all = Files.walk(sandbox)) {
      List<Path> outside =
          all.filter(p -> !p.startsWith(target)).filter(p -> !target.startsWith(p)).toList();
      assertThat(outside).isEmpty();
    }
    assertThat(Path.of("/tmp/skiff-evil-absolute")).doesNotExist();
    assertThat(tmp.resolve("evil")).doesNotExist();
  }
}
