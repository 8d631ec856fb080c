package dev.skiff.runtime.backend.onnx;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Points ONNX Runtime at native libraries unpacked beside the runtime jar. Left to itself, ONNX
 * Runtime copies its ~28 MB of shared libraries out of its jar into a temporary folder on every
 * start, which is about a third of a small model's start -> ready time. The build unpacks them once
 * into {@code native/} next to {@code skiff-runtime.jar} (see runtime/pom.xml); when that folder is
 * missing (e.g. the classes run from an IDE) or the user set {@value #PROPERTY}, nothing changes.
 */
final class OnnxNativeLibraries {
  private static final Logger LOG = Logger.getLogger(OnnxNativeLibraries.class.getName());
  static final String PROPERTY = "onnxruntime.native.path";

  private OnnxNativeLibraries() {}

  /** Sets {@value #PROPERTY} when the unpacked folder for this platform exists; idempotent. */
  static synchronized void preferUnpacked() {
    if (System.getProperty(PROPERTY) != null) {
      return;
    }
    jarFolder()
        .map(dir -> folderFor(dir, System.getProperty("os.name"), System.getProperty("os.arch")))
        .filter(Files::isDirectory)
        .ifPresent(
            dir -> {
              System.setProperty(PROPERTY, dir.toString());
              LOG.fine(() -> "ONNX Runtime loads its native libraries from " + dir);
            });
  }

  /**
   * The folder ONNX Runtime's jar keeps this platform's libraries in, below {@code jarFolder}:
   * {@code native/ai/onnxruntime/native/<os>-<arch>}, named as ONNX Runtime names them.
   */
  static Path folderFor(Path jarFolder, String osName, String osArch) {
    String os = osName.toLowerCase(Locale.ROOT);
    String osPart =
        os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win" : "linux";
    String arch = osArch.toLowerCase(Locale.ROOT);
    String archPart =
        switch (arch) {
          case "amd64", "x86_64" -> "x64";
          default -> arch;
        };
    return jarFolder.resolve("native/ai/onnxruntime/native").resolve(osPart + "-" + archPart);
  }

  private static Optional<Path> jarFolder() {
    CodeSource source = OnnxNativeLibraries.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return Optional.empty();
    }
    try {
      Path location = Path.of(source.getLocation().toURI());
      return Files.isRegularFile(location)
          ? Optional.ofNullable(location.getParent())
          : Optional.empty();
    } catch (URISyntaxException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
