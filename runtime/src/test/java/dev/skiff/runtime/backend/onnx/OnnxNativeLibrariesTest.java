package dev.skiff.runtime.backend.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OnnxNativeLibrariesTest {
  private static final Path APP = Path.of("/app");

  @Test
  void namesPlatformFoldersAsOnnxRuntimesJarDoes() {
    assertThat(OnnxNativeLibraries.folderFor(APP, "Linux", "amd64"))
        .isEqualTo(Path.of("/app/native/ai/onnxruntime/native/linux-x64"));
    assertThat(OnnxNativeLibraries.folderFor(APP, "Linux", "aarch64"))
        .isEqualTo(Path.of("/app/native/ai/onnxruntime/native/linux-aarch64"));
    assertThat(OnnxNativeLibraries.folderFor(APP, "Mac OS X", "x86_64"))
        .isEqualTo(Path.of("/app/native/ai/onnxruntime/native/osx-x64"));
    assertThat(OnnxNativeLibraries.folderFor(APP, "Windows 11", "amd64"))
        .isEqualTo(Path.of("/app/native/ai/onnxruntime/native/win-x64"));
  }
}
