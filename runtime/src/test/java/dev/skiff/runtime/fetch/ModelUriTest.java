package dev.skiff.runtime.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.runtime.fetch.ModelUri.Scheme;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelUriTest {

  @Test
  void supportedSchemesGiveTheModelFileName() throws FetchException {
    assertThat(ModelUri.parse("https://models.example.com/iris/v1/model.onnx"))
        .extracting(ModelUri::scheme, ModelUri::fileName)
        .containsExactly(Scheme.HTTPS, "model.onnx");
    assertThat(ModelUri.parse("HTTP://10.0.0.1:9000/m/model.tar.gz?X-Amz-Signature=abc"))
        .extracting(ModelUri::scheme, ModelUri::fileName)
        .containsExactly(Scheme.HTTP, "model.tar.gz");
    assertThat(ModelUri.parse("s3://my_bucket.v2/fashion/v2/model.zip"))
        .extracting(ModelUri::scheme, ModelUri::fileName)
        .containsExactly(Scheme.S3, "model.zip");
    assertThat(ModelUri.parse("file:///models/iris/model.onnx").scheme()).isEqualTo(Scheme.FILE);
    assertThat(ModelUri.parse("pvc://models-claim/iris/v1/model.onnx").scheme())
        .isEqualTo(Scheme.PVC);
    assertThat(ModelUri.parse("s3://b/k/model.tgz").archiveKind()).isEqualTo(ArchiveKind.TAR_GZ);
    assertThat(ModelUri.parse("s3://b/k/model.onnx").archiveKind()).isEqualTo(ArchiveKind.NONE);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://example.com/model.onnx",
        "gopher://example.com/model.onnx",
        "jar:file:/x.jar!/model.onnx",
        "models/iris/model.onnx",
        "/models/iris/model.onnx",
        "https://user:secret@example.com/model.onnx",
        "https:///model.onnx",
        "https://example.com/",
        "https://example.com/models/",
        "https://example.com/.hidden",
        "s3://bucket",
        "s3://bucket/",
        "file:relative/model.onnx",
        "file://otherhost/model.onnx",
        "file:///models/../etc/passwd",
        "pvc://claim/../../etc/model.onnx",
        "pvc://claim",
        "not a uri"
      })
  void everythingElseIsRefused(String uri) {
    assertThatThrownBy(() -> ModelUri.parse(uri))
        .isInstanceOfSatisfying(
            FetchException.class, e -> assertThat(e.reason()).isEqualTo(FetchReason.REFUSED_URI));
  }

  @Test
  void queriesAreRedactedInMessages() {
    assertThat(ModelUri.redact(URI.create("https://h/model.onnx?X-Amz-Signature=secret")))
        .isEqualTo("https://h/model.onnx?…")
        .doesNotContain("secret");
  }
}
