package dev.skiff.runtime;

import dev.skiff.api.contract.RuntimeCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runtime as its own JVM, as a pod runs it ({@code java @jvm.options -jar skiff-runtime.jar
 * <mode> ...}), for what only a real process shows: signals, shutdown hooks and the log it writes.
 * Its standard output and error go to one log file.
 */
public final class RuntimeProcess implements AutoCloseable {
  /** The packaged runtime, built before the ITs run ({@code mvn verify}), and its JVM flags. */
  private static final Path JAR = Path.of("target/skiff-runtime.jar");

  private static final Path JVM_OPTIONS = Path.of("jvm.options");

  private static final Pattern LISTENING = Pattern.compile("listening on http://localhost:(\\d+)");

  private final Process process;
  private final Path log;

  private RuntimeProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** Starts the packaged runtime with {@code arguments}, logging to {@code log}. */
  public static RuntimeProcess start(Path log, String... arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("@" + JVM_OPTIONS);
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(List.of(arguments));
    if (arguments.length > 0
        && (arguments[0].equals(RuntimeCommand.SERVE) || arguments[0].equals(RuntimeCommand.ROUTE))
        && !command.contains(RuntimeCommand.GRPC_PORT)) {
      // serve's and route's gRPC default is the fixed port 8081, which tests running side by side
      // would share
      command.addAll(List.of(RuntimeCommand.GRPC_PORT, "off"));
    }
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new RuntimeProcess(process, log);
  }

  /** The port from the mode's banner, once it is listening. */
  public int awaitPort(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher banner = LISTENING.matcher(log());
      if (banner.find()) {
        return Integer.parseInt(banner.group(1));
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "the runtime exited " + process.exitValue() + ":\n" + log());
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("the runtime did not start listening:\n" + log());
  }

  /** Sends SIGTERM, as the kubelet does (on Linux {@link Process#destroy()} is SIGTERM). */
  public void sigterm() {
    process.destroy();
  }

  /** Waits for the process to end and returns its exit code. */
  public int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("the runtime did not exit within " + timeout);
    }
    return process.exitValue();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process wrote so far. */
  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** Kills the process if a test left it running. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
