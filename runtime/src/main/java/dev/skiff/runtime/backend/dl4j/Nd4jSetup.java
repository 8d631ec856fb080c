package dev.skiff.runtime.backend.dl4j;

import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.backend.ModelLoadException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.logging.Logger;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Starts nd4j (its native library unpacks into {@code ~/.javacpp/cache} on first use) and checks it
 * can honour the backend options. nd4j's thread settings are process-wide, so the first model
 * loaded sets them.
 */
final class Nd4jSetup {
  private static final Logger LOG = Logger.getLogger(Nd4jSetup.class.getName());
  private static final Object LOCK = new Object();
  private static boolean configured;

  private Nd4jSetup() {}

  /** nd4j-cuda's backend class is JCublasBackend; nd4j-native's is CpuBackend. */
  static void configure(BackendOptions options, Path modelFile) {
    String backend;
    try {
      backend = Nd4j.getBackend().getClass().getSimpleName();
      synchronized (LOCK) {
        if (!configured) {
          Nd4j.getEnvironment().setMaxMasterThreads(options.intraOpThreads());
          Nd4j.getEnvironment().setMaxThreads(options.intraOpThreads());
          configured = true;
          LOG.info(
              () ->
                  "nd4j backend "
                      + backend
                      + ", "
                      + options.intraOpThreads()
                      + " thread(s) per inference call");
        }
      }
    } catch (RuntimeException | LinkageError e) {
      throw new ModelLoadException(
          "nd4j could not start, so "
              + modelFile.getFileName()
              + " cannot be loaded: "
              + reason(e)
              + " (nd4j needs its native library for this platform; the runtime ships"
              + " nd4j-native for linux-x86_64)",
          e);
    }
    if (options.gpu() && !backend.toLowerCase(Locale.ROOT).contains("cublas")) {
      throw new ModelLoadException(
          "device gpu was requested but nd4j runs on its CPU backend ("
              + backend
              + "); use the GPU runtime image, built with -Pgpu, which bundles nd4j-cuda-11.6");
    }
  }

  /** The most specific message in a cause chain: DL4J wraps the useful one several times. */
  @SuppressWarnings("ReferenceEquality") // a cause chain that loops back to itself ends the walk
  static String reason(Throwable e) {
    Throwable deepest = e;
    String message = e.getMessage() != null ? e.getMessage() : e.toString();
    for (Throwable c = e.getCause(); c != null && c != deepest; c = c.getCause()) {
      deepest = c;
      if (c.getMessage() != null && !c.getMessage().isBlank()) {
        message = c.getMessage();
      }
    }
    return message.length() > 500 ? message.substring(0, 500) + "…" : message;
  }
}
