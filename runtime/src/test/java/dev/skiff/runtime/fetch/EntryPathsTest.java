package dev.skiff.runtime.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EntryPathsTest {

  @Test
  void ordinaryNamesAreNormalised() throws FetchException {
    assertThat(EntryPaths.relative("model.onnx")).isEqualTo(Path.of("model.onnx"));
    assertThat(EntryPaths.relative("./a//b/./c.txt")).isEqualTo(Path.of("a/b/c.txt"));
    assertThat(EntryPaths.relative("dir/")).isEqualTo(Path.of("dir"));
    assertThat(EntryPaths.relative("./")).isNull();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "../evil",
        "a/../../evil",
        "a/..",
        "/etc/passwd",
        "C:/Windows/evil",
        "a\\..\\evil",
        "nul\0.txt",
        ""
      })
  void escapingNamesAreBadArchive(String name) {
    assertThatThrownBy(() -> EntryPaths.relative(name))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.BAD_ARCHIVE));
  }

  @Test
  void linkTargetsMustStayInside() throws FetchException {
    EntryPaths.checkLinkTarget(Path.of("a/link"), "../model.onnx");
    EntryPaths.checkLinkTarget(Path.of("link"), "assets/labels.txt");
    EntryPaths.checkLinkTarget(Path.of("link"), ".");
    for (String[] bad :
        new String[][] {
          {"link", ".."}, {"a/link", "../../x"}, {"link", "/etc/passwd"}, {"link", ""}
        }) {
      assertThatThrownBy(() -> EntryPaths.checkLinkTarget(Path.of(bad[0]), bad[1]))
          .as("%s -> %s", bad[0], bad[1])
          .isInstanceOfSatisfying(
              FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.BAD_ARCHIVE));
    }
  }
}
