package dev.skiff.runtime.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real MLServer ({@code mlserver start}) on 127.0.0.1, serving a copy of a folder of MLServer
 * models (each with its model-settings.json) on free HTTP, gRPC and metrics ports of its own, in
 * one process ({@code parallel_workers: 0}) so that stopping its PID stops all of it.
 */
final class MlServerProcess implements AutoCloseable {
  private final Process process;
  private final Path log;
  private final TestHttp http;

  private MlServerProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.http = new TestHttp(port);
  }

  /**
   * Starts MLServer from the virtualenv of {@code python} on a copy of {@code models} and waits
   * until {@code /v2/health/ready} answers 200.
   */
  static MlServerProcess start(Path python, Path models, Duration timeout) throws IOException {
    Path folder = Files.createTempDirectory("mlserver");
    copyTree(models, folder);
    int[] ports = freePorts(3);
    Files.writeString(
        folder.resolve("settings.json"),
        """
        {"host": "127.0.0.1", "http_port": %d, "grpc_port": %d, "metrics_port": %d,
         "parallel_workers": 0, "debug": false}
        """
            .formatted(ports[0], ports[1], ports[2]));
    Path log = folder.resolve("mlserver.log");
    Process process =
        new ProcessBuilder(
                List.of(python.resolveSibling("mlserver").toString(), "start", folder.toString()))
            .directory(folder.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    MlServerProcess server = new MlServerProcess(process, log, ports[0]);
    try {
      server.awaitReady(timeout);
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
    return server;
  }

  TestHttp http() {
    return http;
  }

  long pid() {
    return process.pid();
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("MLServer exited " + process.exitValue() + ":\n" + log());
      }
      try {
        if (http.get("/v2/health/ready").statusCode() == 200) {
          return;
        }
      } catch (UncheckedIOException notListeningYet) {
        // keep polling until the deadline
      }
      sleep(Duration.ofMillis(250));
    }
    throw new IllegalStateException("MLServer not ready within " + timeout + ":\n" + log());
  }

  /** MLServer's output so far, for failure messages. */
  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** Stops the process by its PID (SIGTERM, then SIGKILL after 15 s) and any children it has. */
  @Override
  public void close() {
    List<ProcessHandle> children = process.toHandle().descendants().toList();
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  private static int[] freePorts(int count) throws IOException {
    // Held open together, so the ports differ; MLServer binds them a moment later.
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket socket : sockets) {
        if (socket != null) {
          socket.close();
        }
      }
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path path : paths.toList()) {
        Path target = to.resolve(from.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(target);
        } else {
          Files.copy(path, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
