package dev.skiff.runtime.fetch;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.logging.Logger;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Downloads a model URI into a version folder so that the folder either appears complete or not at
 * all. Everything happens in a hidden staging folder next to the destination (same file system, so
 * renames are atomic): the download with retries and its sha256, the archive's extraction, and only
 * then one atomic rename into place. Stale staging folders of an earlier, killed attempt are
 * removed first; a failed attempt removes its own.
 */
public final class Fetcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Fetcher.class.getName());

  private final FetchOptions options;
  private final Consumer<String> log;
  private final ScheduledExecutorService timer;
  private HttpClient httpClient;
  private S3Client s3Client;

  public Fetcher(FetchOptions options) {
    this(options, LOG::info);
  }

  Fetcher(FetchOptions options, Consumer<String> log) {
    this.options = options;
    this.log = log;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "skiff-fetch-watchdog");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Uses this S3 client for {@code s3://} URIs instead of one built from the options. */
  Fetcher withS3Client(S3Client client) {
    this.s3Client = client;
    return this;
  }

  /** Fetches {@code uri} into the version folder {@code destination}, replacing what was there. */
  public FetchResult fetch(String uri, Path destination) throws FetchException {
    ModelUri model = ModelUri.parse(uri);
    ModelSource source = source(model);
    Path dest = destination.toAbsolutePath().normalize();
    if (dest.getParent() == null) {
      throw FetchException.of(FetchReason.FAILED, "the destination cannot be the root folder");
    }
    String stagePrefix = "." + dest.getFileName() + ".fetch-";
    Path stage;
    try {
      Files.createDirectories(dest.getParent());
      removeStaleStages(dest.getParent(), stagePrefix);
      stage = Files.createTempDirectory(dest.getParent(), stagePrefix);
    } catch (IOException e) {
      throw FetchException.of(
          FetchReason.FAILED,
          "cannot prepare " + dest.getParent() + ": " + BodyCopier.describe(e),
          e);
    }
    try {
      return fetchInto(model, source, dest, stage);
    } finally {
      deleteQuietly(stage);
    }
  }

  private FetchResult fetchInto(ModelUri model, ModelSource source, Path dest, Path stage)
      throws FetchException {
    log.accept("fetching " + model.redacted() + " into " + dest);
    Path download = stage.resolve("download");
    Path content = stage.resolve("content");
    Path file = download.resolve(model.fileName());
    createDirectory(download);
    createDirectory(content);
    BodyCopier copier =
        new BodyCopier(
            timer, options.readTimeout(), options.maxBytes(), options.progressInterval(), log);
    Retrier retrier = new Retrier(options.attempts(), options.initialBackoff(), log);
    BodyCopier.Copied copied =
        retrier.run(() -> copier.copy(source.open(), file, model.fileName()));
    if (options.expectedSha256() != null && !options.expectedSha256().equals(copied.sha256())) {
      throw FetchException.of(
          FetchReason.CHECKSUM_MISMATCH,
          model.fileName()
              + " has sha256 "
              + copied.sha256()
              + " but "
              + options.expectedSha256()
              + " was expected ("
              + copied.bytes()
              + " bytes from "
              + model.redacted()
              + ")");
    }
    ArchiveKind kind = options.unpackArchives() ? model.archiveKind() : ArchiveKind.NONE;
    if (kind == ArchiveKind.NONE) {
      move(file, content.resolve(model.fileName()));
    } else {
      log.accept("unpacking " + model.fileName());
      new ArchiveExtractor(options.maxArchiveEntries(), options.maxExtractedBytes())
          .extract(file, kind, content);
    }
    replace(dest, content, stage);
    log.accept(
        "fetched "
            + model.fileName()
            + " ("
            + copied.bytes()
            + " bytes, sha256 "
            + copied.sha256()
            + ") into "
            + dest);
    return new FetchResult(
        dest, model.fileName(), copied.bytes(), copied.sha256(), kind != ArchiveKind.NONE);
  }

  private ModelSource source(ModelUri model) throws FetchException {
    return switch (model.scheme()) {
      case HTTPS, HTTP ->
          new HttpSource(
              httpClient(), model.uri(), options.readTimeout(), options.allowPrivateAddresses());
      case S3 ->
          new S3Source(s3Client(), model.uri().getAuthority(), model.uri().getPath().substring(1));
      case FILE -> LocalFileSource.file(model);
      case PVC -> LocalFileSource.pvc(model, options.pvcRoot());
    };
  }

  private HttpClient httpClient() {
    if (httpClient == null) {
      httpClient = HttpSource.client(options.connectTimeout());
    }
    return httpClient;
  }

  private S3Client s3Client() throws FetchException {
    if (s3Client == null) {
      s3Client = S3Clients.create(options);
    }
    return s3Client;
  }

  /** Moves {@code content} to {@code dest}; an existing {@code dest} is moved aside first. */
  private static void replace(Path dest, Path content, Path stage) throws FetchException {
    if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS)) {
      move(dest, stage.resolve("previous"));
    }
    move(content, dest);
  }

  private static void move(Path from, Path to) throws FetchException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw FetchException.of(
          FetchReason.FAILED,
          "cannot move " + from + " to " + to + ": " + BodyCopier.describe(e),
          e);
    }
  }

  private static void createDirectory(Path dir) throws FetchException {
    try {
      Files.createDirectory(dir);
    } catch (IOException e) {
      throw FetchException.of(
          FetchReason.FAILED, "cannot create " + dir + ": " + BodyCopier.describe(e), e);
    }
  }

  private void removeStaleStages(Path parent, String prefix) throws IOException {
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(parent, prefix + "*")) {
      for (Path path : stale) {
        log.accept("removing " + path + ", left by an earlier attempt");
        deleteQuietly(path);
      }
    }
  }

  /** Deletes a tree without following links (an archive's links may point anywhere inside). */
  static void deleteQuietly(Path root) {
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              Files.deleteIfExists(dir);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warning("cannot remove " + root + ": " + e.getMessage());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (s3Client != null) {
      s3Client.close();
    }
    if (httpClient != null) {
      httpClient.shutdownNow(); // close() waits for abandoned bodies (a refused or failed fetch)
    }
  }
}
