package dev.outpost.observability.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A record's attributes behave as the linked hash map they replace, read-only. */
class AttributeMapTest {

  /** The same puts into an AttributeMap and a LinkedHashMap. */
  private static void bothAgree(int keys, int repeatEvery) {
    AttributeMap.Builder built = AttributeMap.builder(2);
    Map<String, String> expected = new LinkedHashMap<>();
    for (int i = 0; i < keys; i++) {
      String key = "k" + (repeatEvery > 0 && i % repeatEvery == 0 ? 0 : i);
      built.put(key, "v" + i);
      expected.put(key, "v" + i);
    }
    Map<String, String> map = built.build();
    assertThat(map).containsExactlyEntriesOf(expected);
    assertThat(map).isEqualTo(expected);
    assertThat(map.hashCode()).isEqualTo(expected.hashCode());
    assertThat(map.toString()).isEqualTo(expected.toString());
    expected.forEach((k, v) -> {
      assertThat(map.get(k)).isEqualTo(v);
      assertThat(map.containsKey(k)).isTrue();
    });
    assertThat(map.get("absent")).isNull();
    assertThat(map.containsKey("absent")).isFalse();
    assertThat(map.get(42)).isNull();
    assertThatThrownBy(() -> map.put("new", "x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aFewKeysKeepTheirOrderAndAKeyPutTwiceKeepsItsPlaceAndLastValue() {
    bothAgree(7, 3);
    AttributeMap.Builder built = AttributeMap.builder(3).put("a", "1").put("b", "2").put("a", "3");
    assertThat(built.build()).containsExactly(Map.entry("a", "3"), Map.entry("b", "2"));
  }

  @Test
  void manyKeysGoIntoAHashMapInTheirOrder() {
    bothAgree(AttributeMap.MAX_SCANNED, 0);
    bothAgree(AttributeMap.MAX_SCANNED + 1, 0);
    bothAgree(300, 7);
  }

  @Test
  void noKeysIsTheEmptyMap() {
    assertThat(AttributeMap.builder(0).build()).isEqualTo(Map.of());
  }
}
