package dev.outpost.runtime.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Path templates match as Vert.x, which platform-http serves through, matches them. */
class HttpEndpointTest {

  @ParameterizedTest(name = "{0} matches {1}: {2}")
  @CsvSource({
      "/orders/{id}, /orders/7, true",
      "/orders/{id}, /orders/7/items, false",
      "/files/{name}.json, /files/report.json, true",
      "/files/{name}.json, /files/report.csv, false",
      "/files/{name}.json, /files/.json, false",
      "/v{version}/items, /v2/items, true",
      "/v{version}/items, /x2/items, false",
      "/{a}-{b}, /x-y, true",
      "/files/*, /files/a/b, true",
      "/a.b, /aXb, false",
      // Vert.x names a parameter by letters, digits and _ only: the rest of {file-name} is text
      "/files/{file-name}.json, /files/report-name.json, true",
      "/files/{file-name}.json, /files/report.json, false",
  })
  void requestPathsMatchTemplates(String template, String path, boolean matches) {
    assertThat(new HttpEndpoint(template, Set.of()).matchesPath(path)).isEqualTo(matches);
  }

  @ParameterizedTest(name = "{0} and {1} conflict: {2}")
  @CsvSource({
      "/files/{name}.json, /files/report.json, true",
      "/files/{name}.json, /files/report.csv, false",
      "/files/{name}.json, /files/{id}.csv, false",
      "/files/{name}.json, /files/{id}, true",
      "/v{n}/items, /v2/items, true",
      "/v{n}/items, /w{n}/items, false",
  })
  void templatesConflictWhenOneRequestCouldReachBoth(String a, String b, boolean conflict) {
    assertThat(new HttpEndpoint(a, Set.of()).conflictsWith(new HttpEndpoint(b, Set.of()))).isEqualTo(conflict);
  }
}
