package dev.outpost.spec.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RouteAuth;
import dev.outpost.spec.model.RoutingTable;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ExamplesTest {

  static List<Path> examples() {
    return Examples.all();
  }

  @Test
  void theRequiredExamplesExist() {
    assertThat(examples()).extracting(p -> p.getFileName().toString())
        .contains("public-hello.yaml", "orders-jwt.yaml", "two-projects.yaml");
  }

  @ParameterizedTest
  @MethodSource("examples")
  void parsesValidatesAndRoundTrips(Path file) throws Exception {
    DataPlaneState state = StateCodec.readYaml(Examples.text(file));

    assertThat(state.integrations()).isNotEmpty();
    assertThat(state.routes()).isNotEmpty();
    assertThat(StateCodec.readYaml(StateCodec.toYaml(state))).isEqualTo(state);
    assertThat(StateCodec.readJson(StateCodec.toJson(state))).isEqualTo(state);
    assertThat(StateCodec.read(StateCodec.toTree(state))).isEqualTo(state);
  }

  @ParameterizedTest
  @MethodSource("examples")
  void theAgentsFileFormatsRoundTrip(Path file) throws Exception {
    DataPlaneState state = StateCodec.readYaml(Examples.text(file));

    RoutingTable table = RoutingTable.of(state);
    assertThat(StateCodec.readRoutingTable(StateCodec.toJson(table))).isEqualTo(table);
    for (Integration integration : state.integrations()) {
      assertThat(StateCodec.readIntegration(StateCodec.toJson(integration))).isEqualTo(integration);
    }
  }

  @Test
  void ordersExampleIsBehindJwtWithScopesAndARateLimit() throws Exception {
    DataPlaneState state = StateCodec.readYaml(Examples.text("orders-jwt.yaml"));

    assertThat(state.identityProvider("dev")).get().satisfies(idp -> {
      assertThat(idp.issuer()).isEqualTo("http://127.0.0.1:7070/idp");
      assertThat(idp.jwksUri()).isEqualTo("http://127.0.0.1:7070/idp/jwks");
      assertThat(idp.audiences()).containsExactly("outpost");
    });
    assertThat(state.routes()).allSatisfy(route -> {
      assertThat(route.auth().mode()).isEqualTo(RouteAuth.Mode.JWT);
      assertThat(route.auth().jwt().scopes()).isNotEmpty();
      assertThat(route.rateLimit()).isNotNull();
    });
  }

  @Test
  void twoProjectsExampleSpansTwoProjectsAndAllAuthModes() throws Exception {
    DataPlaneState state = StateCodec.readYaml(Examples.text("two-projects.yaml"));

    assertThat(state.integrations()).extracting(Integration::project).containsOnly("retail", "logistics");
    assertThat(state.routes()).extracting(route -> route.auth().mode())
        .contains(RouteAuth.Mode.JWT, RouteAuth.Mode.API_KEY);
  }
}
