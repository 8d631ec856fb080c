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
 * Swagger UI at {@code /docs}, served from the packaged {@code org.webjars:swagger-ui} jar with a
 * page of our own that points it at {@code /openapi}.
 */
public final class DocsService implements HttpService {
  private final HttpService assets;
  private final byte[] indexPage;

  public DocsService() {
    this.assets =
        StaticContentFeature.createService(
            ClasspathHandlerConfig.builder().location(webjarRoot()).build());
    try (InputStream page = DocsService.class.getResourceAsStream("/skiff/docs/index.html")) {
      if (page == null) {
        throw new IllegalStateException("docs page missing from the runtime jar");
      }
      this.indexPage = page.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The webjar's versioned resource folder, read from its Maven metadata. */
  private static String webjarRoot() {
    String pom = "/META-INF/maven/org.webjars/swagger-ui/pom.properties";
    try (InputStream in = DocsService.class.getResourceAsStream(pom)) {
      if (in == null) {
        throw new IllegalStateException("swagger-ui webjar is not on the class path");
      }
      Properties props = new Properties();
      props.load(in);
      return "META-INF/resources/webjars/swagger-ui/" + props.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void routing(HttpRules rules) {
    // Both: the webjar's own index.html would show Swagger's petstore.
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
