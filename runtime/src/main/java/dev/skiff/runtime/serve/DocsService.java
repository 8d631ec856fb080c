package dev.skiff.runtime.serve;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

/**
 * An API documentation viewer for {@code /openapi}, served from a packaged webjar with a page of
 * our own that points it there, so the browser loads everything from this server (no CDN): Swagger
 * UI at {@code /docs} ({@code org.webjars:swagger-ui}), ReDoc at {@code /redoc} ({@code
 * org.webjars.npm:redoc}, its standalone bundle).
 */
public final class DocsService implements HttpService {
  private final HttpService assets;
  private final byte[] indexPage;

  private DocsService(String group, String artifact, String page) {
    this.assets =
        StaticContentFeature.createService(
            ClasspathHandlerConfig.builder().location(webjarRoot(group, artifact)).build());
    try (InputStream in = DocsService.class.getResourceAsStream(page)) {
      if (in == null) {
        throw new IllegalStateException(page + " missing from the runtime jar");
      }
      this.indexPage = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Swagger UI, for {@code /docs}. */
  public static DocsService swaggerUi() {
    return new DocsService("org.webjars", "swagger-ui", "/skiff/docs/index.html");
  }

  /** ReDoc, for {@code /redoc}. */
  public static DocsService redoc() {
    return new DocsService("org.webjars.npm", "redoc", "/skiff/redoc/index.html");
  }

  /** The webjar's versioned resource folder, read from its Maven metadata. */
  private static String webjarRoot(String group, String artifact) {
    String pom = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = DocsService.class.getResourceAsStream(pom)) {
      if (in == null) {
        throw new IllegalStateException(artifact + " webjar is not on the class path");
      }
      Properties props = new Properties();
      props.load(in);
      return "META-INF/resources/webjars/" + artifact + "/" + props.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void routing(HttpRules rules) {
    // Both: Swagger UI's own index.html would show Swagger's petstore.
    for (String page : List.of("/", "/index.html")) {
      rules.get(
          page,
          (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
            res.send(indexPage);
          });
    }
    rules.register("/", assets);
  }
}
