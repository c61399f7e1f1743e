package dev.outpost.spec.path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PathNormaliserTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "/|/",
      "/a/b|/a/b",
      "//admin|/admin",
      "/a//b///c|/a/b/c",
      "/a/./b|/a/b",
      "/a/b/../c|/a/c",
      "/a/%2e%2e/b|/b",
      "/a/%2E/b|/a/b",
      "/a/b/.|/a/b/",
      "/a/b/..|/a/",
      "/a/b/|/a/b/",
      "/%61dmin|/admin",
      "/caf%c3%a9|/caf%C3%A9",
      "/a%20b|/a%20b",
      "/a b|/a%20b",
      "/x;y=1|/x;y=1",
      "/%7euser|/~user",
      "/a%3Fb|/a%3Fb",
      "/a%23b|/a%23b",
      "/a/...;x/b|/a/...;x/b",
      "/a/..x;/b|/a/..x;/b",
      "/a/x..;/b|/a/x..;/b",
      "/a/;/b|/a/;/b",
  })
  void normalises(String raw, String expected) {
    assertThat(PathNormaliser.normalise(raw)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} refused: {1}")
  @CsvSource(delimiter = '|', value = {
      "/a/..%2fadmin|encoded '/'",
      "/a/..%2Fadmin|encoded '/'",
      "/a%5cadmin|encoded '/' or '\\'",
      "/a\\admin|'\\'",
      "/..|climbs above the root",
      "/a/../../etc|climbs above the root",
      "/%2e%2e/etc|climbs above the root",
      "/%c0%af|not valid UTF-8",
      "/%c0%ae%c0%ae/x|not valid UTF-8",
      "/%e0%80%af|not valid UTF-8",
      "/%ff|not valid UTF-8",
      "/a%00b|control characters",
      "/a%0d%0ab|control characters",
      "/a%7fb|control characters",
      "/a%zzb|malformed percent-escape",
      "/a%4|malformed percent-escape",
      "relative|must start with '/'",
      "/x/..;/y|the path /x/..;/y has a segment '.' or '..' followed by ';'",
      "/x/..;jsessionid=1/y|followed by ';'",
      "/x/.;/y|followed by ';'",
      "/x/%2e%2e;/y|followed by ';'",
      "/x/%2E;a=b|followed by ';'",
      "/x/..%3b/y|followed by ';'",
      "/x/%2e.%3B/y|followed by ';'",
      "/..;/y|followed by ';'",
  })
  void refuses(String raw, String reason) {
    assertThatThrownBy(() -> PathNormaliser.normalise(raw)).isInstanceOf(BadPathException.class)
        .hasMessageContaining(reason);
  }
}
