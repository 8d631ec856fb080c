package dev.skiff.runtime.backend.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.skiff.api.contract.ModelFormat;
import dev.skiff.runtime.backend.BackendOptions;
import dev.skiff.runtime.backend.BackendProvider;
import dev.skiff.runtime.backend.DeclaredTensors;
import dev.skiff.runtime.backend.ModelLoadException;
import dev.skiff.runtime.backend.ModelSession;
import java.nio.file.Path;
import java.util.List;

/** Serves {@code .onnx} files with ONNX Runtime: CPU by default, CUDA when asked for a GPU. */
public final class OnnxBackendProvider implements BackendProvider {

  @Override
  public String format() {
    return ModelFormat.ONNX.value();
  }

  @Override
  public List<String> fileSuffixes() {
    return List.of(".onnx");
  }

  @Override
  public ModelSession load(Path modelFile, BackendOptions options, DeclaredTensors declared) {
    OnnxNativeLibraries.preferUnpacked();
    // ONNX Runtime keeps one environment per process; getEnvironment() returns it.
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
      sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
      sessionOptions.setInterOpNumThreads(1);
      sessionOptions.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (options.gpu()) {
        try {
          sessionOptions.addCUDA(0);
        } catch (OrtException | RuntimeException | LinkageError e) {
          throw new ModelLoadException(
              "device gpu was requested but ONNX Runtime's CUDA provider is not available ("
                  + e.getMessage()
                  + "); use the GPU runtime image, which bundles onnxruntime_gpu",
              e);
        }
      }
      OrtSession session = env.createSession(modelFile.toString(), sessionOptions);
      return new OnnxModelSession(env, session);
    } catch (OrtException e) {
      throw new ModelLoadException(
          "ONNX Runtime could not load " + modelFile.getFileName() + ": " + e.getMessage(), e);
    }
  }
}
