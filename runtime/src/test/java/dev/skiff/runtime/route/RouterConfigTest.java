package dev.skiff.runtime.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RouterConfigTest {

  @Test
  void readsTheDocumentedExample() {
    RouterConfig config =
        parse(
            """
            model: iris
            versions:
              - {name: v1, url: "http://iris-v1.ns.svc:8080", weight: 90}
              - {name: v2, url: "http://iris-v2.ns.svc:8080/", weight: 10}
            mirror: {version: v2, percent: 10}
            """);
    assertThat(config.model()).isEqualTo("iris");
    assertThat(config.versions())
        .containsExactly(
            new RouterConfig.Version("v1", URI.create("http://iris-v1.ns.svc:8080"), 90),
            new RouterConfig.Version("v2", URI.create("http://iris-v2.ns.svc:8080"), 10));
    assertThat(config.mirror()).contains(new RouterConfig.Mirror("v2", 10));
  }

  @Test
  void aVersionsGrpcPortIsOptionalAndRangeChecked() {
    RouterConfig config =
        parse(
            """
            model: m
            versions:
              - {name: v1, url: "http://iris-v1.ns.svc:8080", weight: 50, grpcPort: 8081}
              - {name: v2, url: "http://iris-v2.ns.svc:8080", weight: 50}
            """);
    assertThat(config.versions().get(0).grpcPort()).hasValue(8081);
    assertThat(config.versions().get(1).grpcPort()).isEmpty();
    assertThatThrownBy(
            () ->
                parse(
                    """
                    model: m
                    versions: [{name: v1, url: "http://a:8080", weight: 100, grpcPort: 70000}]
                    """))
        .isInstanceOf(InvalidRouterConfigException.class)
        .hasMessageContaining("versions[0] ('v1').grpcPort must be a port between 1 and 65535")
        .hasMessageContaining("70000");
  }

  @Test
  void allZeroWeightsAreAllowed() {
    assertThat(
            parse(
                    """
                    model: m
                    versions: [{name: v1, url: "http://a", weight: 0}]
                    """)
                .versions())
        .hasSize(1);
  }

  /**
   * A URL without a port gets its scheme's default written out, so the backend URIs built from it
   * always name the port (no target can add one after the host).
   */
  @Test
  void aUrlWithoutAPortGetsTheSchemesDefault() {
    RouterConfig config =
        parse(
            """
            model: m
            versions:
              - {name: v1, url: "http://iris-v1.ns.svc", weight: 50}
              - {name: v2, url: "https://iris-v2.ns.svc/", weight: 50}
              - {name: v3, url: "http://127.0.0.1:9000", weight: 0}
            """);
    assertThat(config.versions().stream().map(v -> v.url().toString()))
        .containsExactly(
            "http://iris-v1.ns.svc:80", "https://iris-v2.ns.svc:443", "http://127.0.0.1:9000");
  }

  /**
   * Everything but scheme, host and port is refused: each request brings its own path and query.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://user:secret@a:8080",
        "http://a@b:8080",
        "http://a:8080/prefix",
        "http://a/v2/",
        "http://a:8080?x=1",
        "http://a:8080/?x=1",
        "http://a:8080#top",
        "http:///x",
        "http:a",
        "a:8080",
        "//a:8080",
        "http://a_b:8080",
      })
  void urlsWithMoreOrLessThanSchemeHostAndPortAreRefused(String url) {
    assertThatThrownBy(
            () -> parse("model: m\nversions: [{name: v1, url: \"" + url + "\", weight: 100}]"))
        .isInstanceOf(InvalidRouterConfigException.class)
        .hasMessage(
            "versions[0] ('v1').url must be http://host[:port] or https://host[:port], with no"
                + " user, path, query or fragment (each request's own path and query are sent),"
                + " not '"
                + url
                + "'");
  }

  static Stream<Arguments> invalidFiles() {
    return Stream.of(
        Arguments.of(
            "model: m\nversions: [{name: v1, url: \"http://a\", weight: 100}]\nextra: 1",
            "unknown key 'extra' at the top level; known keys: [model, versions, mirror]"),
        Arguments.of(
            "model: m\nversions: [{name: v1, url: \"http://a\", weight: 100, wieght: 1}]",
            "unknown key 'wieght' at versions[0]"),
        Arguments.of(
            "versions: [{name: v1, url: \"http://a\", weight: 100}]",
            "'model' must be a name of letters, digits, '.', '_' and '-', not missing"),
        Arguments.of("model: m", "'versions' must list at least one version"),
        Arguments.of(
            "model: m\nversions: [{name: v1, url: \"http://a\", weight: 60}, {name: v1, url: \"http://b\", weight: 40}]",
            "version name 'v1' appears more than once"),
        Arguments.of(
            "model: m\nversions: [{name: v1, url: \"http://a\", weight: 60}, {name: v2, url: \"http://b\", weight: 50}]",
            "version weights must add up to 100 (or all be 0), but they add up to 110"),
        Arguments.of(
            "model: m\nversions: [{name: v1, url: \"http://a\", weight: 101}]",
            "versions[0] ('v1').weight must be between 0 and 100, not 101"),
        Arguments.of(
            "model: m\nversions: [{name: v1, url: \"http://a\"}]",
            "versions[0] ('v1').weight must be between 0 and 100, not missing"),
        Arguments.of(
            "model: m\nversions: [{name: v1, url: \"ftp://a\", weight: 100}]",
            "versions[0] ('v1').url must be http://host[:port] or https://host[:port], with no"
                + " user, path, query or fragment (each request's own path and query are sent),"
                + " not 'ftp://a'"),
        Arguments.of(
            "model: m\nversions: [{name: v1, weight: 100}]", "versions[0] ('v1').url is missing"),
        Arguments.of(
            "model: m\nversions: [{name: \"a b\", url: \"http://a\", weight: 100}]",
            "versions[0].name must be a name of letters"),
        Arguments.of(
            "model: m\nversions: [{name: v1, url: \"http://a\", weight: 100}]\nmirror: {version: v9, percent: 5}",
            "mirror.version must name one of the versions [v1], not 'v9'"),
        Arguments.of(
            "model: m\nversions: [{name: v1, url: \"http://a\", weight: 100}]\nmirror: {version: v1, percent: 150}",
            "mirror.percent must be between 0 and 100, not 150"),
        Arguments.of("model: m\nmodel: n", "not valid router YAML: Duplicate field 'model'"),
        Arguments.of("", "the file is empty"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidFiles")
  void invalidFilesNameTheProblem(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml))
        .isInstanceOf(InvalidRouterConfigException.class)
        .hasMessageContaining(message);
  }

  private static RouterConfig parse(String yaml) {
    return RouterConfig.parse(yaml.getBytes(StandardCharsets.UTF_8));
  }
}
