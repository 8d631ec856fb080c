package dev.skiff.runtime.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.runtime.fetch.AddressPolicy.Kind;
import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressPolicyTest {

  @ParameterizedTest
  @CsvSource({
    "169.254.169.254, FORBIDDEN",
    "169.254.0.1, FORBIDDEN",
    "100.100.100.200, FORBIDDEN",
    "fe80::1, FORBIDDEN",
    "fd00:ec2::254, FORBIDDEN",
    "::ffff:169.254.169.254, FORBIDDEN",
    "224.0.0.1, FORBIDDEN",
    "255.255.255.255, FORBIDDEN",
    "127.0.0.1, PRIVATE",
    "127.1.2.3, PRIVATE",
    "0.0.0.0, PRIVATE",
    "10.96.0.10, PRIVATE",
    "172.16.0.1, PRIVATE",
    "172.31.255.255, PRIVATE",
    "192.168.1.10, PRIVATE",
    "100.64.0.1, PRIVATE",
    "::1, PRIVATE",
    "::, PRIVATE",
    "fd12:3456::1, PRIVATE",
    "::ffff:10.0.0.1, PRIVATE",
    "8.8.8.8, PUBLIC",
    "172.32.0.1, PUBLIC",
    "100.128.0.1, PUBLIC",
    "2606:4700::1111, PUBLIC"
  })
  void addressesAreClassified(String literal, Kind kind) throws Exception {
    assertThat(AddressPolicy.classify(InetAddress.getByName(literal))).isEqualTo(kind);
  }

  @Test
  void privateNeedsTheOptInAndMetadataIsNeverAllowed() throws FetchException {
    assertThatThrownBy(() -> AddressPolicy.check("127.0.0.1", false))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.REFUSED_URI))
        .hasMessageContaining("--allow-private-addresses");
    AddressPolicy.check("127.0.0.1", true);
    assertThatThrownBy(() -> AddressPolicy.check("169.254.169.254", true))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.REFUSED_URI))
        .hasMessageContaining("metadata");
  }

  @Test
  void redirectTargetsAreRechecked() throws FetchException {
    URI https = URI.create("https://models.example.com/a/model.onnx");
    assertThat(HttpSource.redirectTarget(https, "/b/model.onnx"))
        .isEqualTo(URI.create("https://models.example.com/b/model.onnx"));
    assertThat(HttpSource.redirectTarget(URI.create("http://h/x"), "https://cdn.example.com/m"))
        .hasScheme("https");
    for (String location :
        new String[] {
          "http://models.example.com/a/model.onnx", "file:///etc/passwd", "ftp://h/m"
        }) {
      assertThatThrownBy(() -> HttpSource.redirectTarget(https, location))
          .as(location)
          .isInstanceOfSatisfying(
              FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.REFUSED_URI));
    }
  }

  @Test
  void statusCodesMapToReasonsAndRetries() {
    assertThat(HttpSource.statusFailure(404, "u").reason()).isEqualTo(FetchReason.NOT_FOUND);
    assertThat(HttpSource.statusFailure(410, "u").reason()).isEqualTo(FetchReason.NOT_FOUND);
    assertThat(HttpSource.statusFailure(503, "u").retryable()).isTrue();
    assertThat(HttpSource.statusFailure(429, "u").retryable()).isTrue();
    assertThat(HttpSource.statusFailure(500, "u").reason()).isEqualTo(FetchReason.NETWORK);
    assertThat(HttpSource.statusFailure(403, "u").retryable()).isFalse();
    assertThat(HttpSource.statusFailure(403, "u").reason()).isEqualTo(FetchReason.FAILED);
    assertThat(HttpSource.statusFailure(400, "u").retryable()).isFalse();
  }
}
