package dev.outpost.controlplane;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The development control plane's configuration ({@code outpost.cp.*}). */
@ConfigMapping(prefix = "outpost.cp")
public interface ControlPlaneConfig {

  /** Where keys and the current state are kept; relative to the working directory. */
  @WithDefault("control-plane")
  Path dataDir();

  /**
   * File holding the data plane's bearer token, which agents present on {@code /v1/connect}.
   * The launcher writes it; relative to the working directory.
   */
  @WithDefault("secrets/outpost/dataplane-token")
  Path dataPlaneTokenFile();

  /** File holding the token the REST API ({@code /v1/state}, {@code /v1/integrations}) demands. */
  @WithDefault("secrets/outpost/admin-token")
  Path adminTokenFile();

  /** The data plane token itself; when set, it wins over {@code data-plane-token-file} (tests). */
  Optional<String> dataPlaneToken();

  /** The admin token itself; when set, it wins over {@code admin-token-file} (tests). */
  Optional<String> adminToken();

  /**
   * The id of the data plane this control plane drives. Every committed state is stamped with it,
   * whatever the applied document says: a document is merged into this data plane's state, so its
   * own {@code dataPlane} (examples/two-projects.yaml says acme-prod) does not choose where it goes.
   */
  @WithDefault("local")
  String dataPlane();

  /**
   * The host names a request may name in its {@code Host} header (any port). A web page the
   * developer visits can point a name of its own at 127.0.0.1 (DNS rebinding) and call this server
   * as its own origin, past CORS: the development IdP would issue it tokens for any project. A
   * control plane bound to another address needs that address's names here.
   */
  @WithDefault("127.0.0.1,localhost,[::1]")
  List<String> allowedHosts();

  /** How often the server pings each agent; an agent silent for 3 intervals (90 s) is dropped. */
  @WithDefault("30s")
  Duration pingInterval();

  /** The development IdP. */
  Idp idp();

  /** The console page. */
  Console console();

  interface Idp {
    /** The {@code iss} of the tokens it issues (ARCHITECTURE.md, "Local development identity"). */
    @WithDefault("http://127.0.0.1:7070/idp")
    String issuer();

    /** The {@code aud} of the tokens it issues. */
    @WithDefault("outpost")
    String audience();

    /** Lifetime of a token when the request does not ask for one. */
    @WithDefault("1h")
    Duration tokenTtl();

    /** The longest lifetime a request may ask for. */
    @WithDefault("24h")
    Duration maxTokenTtl();
  }

  interface Console {
    /** observability-api's query API, which the console page calls from the browser. */
    @WithDefault("http://127.0.0.1:8082")
    String observabilityUrl();
  }
}
