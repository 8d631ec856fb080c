package dev.skiff.runtime.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skiff.api.contract.Datatype;
import dev.skiff.runtime.tensor.TensorSpec;
import dev.skiff.runtime.web.ApiException;
import java.io.ByteArrayInputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A declared shape is a claim: what the server allocates must follow the data that arrived, and a
 * claim beyond the limits is refused before anything is allocated (issue 17, findings 1 and 2).
 */
class DeclaredShapeBudgetTest {
  private static final long PAYLOAD_LIMIT = 64L * 1024 * 1024;
  private final V2JsonCodec v2 = new V2JsonCodec(PAYLOAD_LIMIT);
  private final V1JsonCodec v1 = new V1JsonCodec(v2);

  private static ByteArrayInputStream body(String json) {
    return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
  }

  private static long directBytesInUse() {
    return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct"))
        .mapToLong(BufferPoolMXBean::getMemoryUsed)
        .sum();
  }

  @Test
  void aHugeShapeWithOneValueAllocatesOnlyForTheValueSent() {
    long before = directBytesInUse();
    assertThatThrownBy(
            () ->
                v2.readRequest(
                    body(
                        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP64\","
                            + "\"shape\":[16777216],\"data\":[1]}]}")))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("needs 16777216 values, data has 1");
    // Before: a 128 MiB direct buffer sized from the shape, held until the next GC.
    assertThat(directBytesInUse() - before).isLessThan(1024 * 1024);
  }

  @Test
  void aShapeOverTheElementLimitIsRefusedWith413NamingTheLimit() {
    assertThatThrownBy(
            () ->
                v2.readRequest(
                    body(
                        "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\","
                            + "\"shape\":[1000000000],\"data\":[1]}]}")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessageContaining("--max-payload-bytes");
  }

  @Test
  void v1RowsWhoseFirstRowClaimsAHugeShapeAreRefusedNotAllocated() {
    // [[0]*300000] + [[]]*9999: the shape taken from the first row is [10000, 300000], 3e9
    // elements; before, this overflowed an int and answered 500 "capacity < 0".
    StringBuilder json = new StringBuilder("{\"instances\":[[");
    json.append("0,".repeat(299_999)).append("0]");
    json.append(",[]".repeat(9_999)).append("]}");
    TensorSpec spec = new TensorSpec("input", Datatype.FP32, new long[] {-1, -1});
    assertThatThrownBy(() -> v1.readRequest(body(json.toString()), List.of(spec)))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(413))
        .hasMessageContaining("more than the limit");
  }

  @Test
  void v1RowsOfUnequalLengthAllocateOnlyForTheValuesSent() {
    // [[0]*268000] + [[]]*999 claims [1000, 268000] (268 M elements, 1.07 GB as FP32) while
    // carrying 268,000 values; under a larger body limit the claim passes the element check and
    // must still cost only what arrived.
    V2JsonCodec large = new V2JsonCodec(1L << 30);
    V1JsonCodec wide = new V1JsonCodec(large);
    StringBuilder json = new StringBuilder("{\"instances\":[[");
    json.append("0,".repeat(267_999)).append("0]");
    json.append(",[]".repeat(999)).append("]}");
    TensorSpec spec = new TensorSpec("input", Datatype.FP32, new long[] {-1, -1});
    long before = directBytesInUse();
    assertThatThrownBy(() -> wide.readRequest(body(json.toString()), List.of(spec)))
        .isInstanceOf(ApiException.class)
        .hasMessageContaining("data has 268000");
    assertThat(directBytesInUse() - before).isLessThan(8L * 1024 * 1024);
  }
}
