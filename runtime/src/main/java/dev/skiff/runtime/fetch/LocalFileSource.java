package dev.skiff.runtime.fetch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads {@code file://} paths and {@code pvc://} paths below the claim's mount. A pvc path is
 * resolved with its symbolic links and must stay below the mount, so a link on the volume cannot
 * make the init container copy its own files (service-account token, configuration) into the model
 * folder.
 */
final class LocalFileSource implements ModelSource {
  private final Path path;
  private final Path confinedTo;
  private final String display;

  private LocalFileSource(Path path, Path confinedTo, String display) {
    this.path = path;
    this.confinedTo = confinedTo;
    this.display = display;
  }

  /** {@code file:///abs/path}. */
  static LocalFileSource file(ModelUri uri) {
    return new LocalFileSource(Path.of(uri.uri().getPath()), null, uri.redacted());
  }

  /**
   * {@code pvc://<claim>/<path>}: {@code <path>} below {@code pvcRoot}, where the claim is mounted.
   */
  static LocalFileSource pvc(ModelUri uri, Path pvcRoot) {
    String relative = uri.uri().getPath().substring(1);
    return new LocalFileSource(pvcRoot.resolve(relative).normalize(), pvcRoot, uri.redacted());
  }

  @Override
  public Body open() throws FetchException {
    Path real;
    try {
      real = path.toRealPath();
      if (confinedTo != null && !real.startsWith(confinedTo.toRealPath())) {
        throw FetchException.of(
            FetchReason.REFUSED_URI,
            display + " resolves to " + real + ", outside the volume mounted at " + confinedTo);
      }
    } catch (NoSuchFileException e) {
      throw FetchException.of(FetchReason.NOT_FOUND, display + ": no such file " + path);
    } catch (IOException e) {
      throw FetchException.of(
          FetchReason.FAILED, display + ": cannot read " + path + ": " + BodyCopier.describe(e), e);
    }
    if (!Files.isRegularFile(real)) {
      throw FetchException.of(
          FetchReason.FAILED,
          display + " is not a regular file; point at a model file or an archive");
    }
    try {
      return new Body(Files.newInputStream(real), Files.size(real));
    } catch (IOException e) {
      throw FetchException.of(
          FetchReason.FAILED, display + ": cannot read " + path + ": " + BodyCopier.describe(e), e);
    }
  }
}
