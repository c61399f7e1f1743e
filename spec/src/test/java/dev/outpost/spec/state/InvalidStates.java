package dev.outpost.spec.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.json.Mappers;
import java.util.List;

/**
 * The corpus of invalid states: each case changes one value of {@link #VALID} and names the single
 * violation that must result. Shared by the validator's test and the JSON Schema's test.
 */
final class InvalidStates {

  /** A valid state touching every feature, the base every case edits. */
  static final String VALID = """
      apiVersion: outpost.dev/v1
      revision: 12
      dataPlane: acme-prod
      identityProviders:
        - name: dev
          issuer: http://127.0.0.1:7070/idp
          jwksUri: http://127.0.0.1:7070/idp/jwks
          audiences: [outpost]
          algorithms: [RS256, ES256]
          clockSkewSeconds: 60
      integrations:
        - name: orders
          project: shop
          version: 2.3.0-rc.1
          config:
            BACKEND_URL: https://orders.internal.example/api
            TOKEN_URL: https://idp.internal.example/token
          secrets:
            - name: orders-db
              key: password
          source: |
            - route:
                id: orders
                from:
                  uri: "platform-http:/orders"
                  steps:
                    - to: "sql:select 1?dataSource=#db&password={{secret.orders-db.password}}"
          replicas: 2
          resources: {requestsCpu: 250m, requestsMemory: 256Mi, limitsCpu: "1", limitsMemory: 1Gi}
        - name: poller
          project: shop
          version: "1"
          source: |
            - route:
                id: poller
                from:
                  uri: "timer:poll?period=60000"
                  steps:
                    - log: polled
      routes:
        - id: orders-read
          project: shop
          match:
            pathPrefix: /orders
            hosts: [api.example.com, "*.example.com"]
            methods: [GET, HEAD]
          integration: orders
          auth:
            jwt: {identityProviders: [dev], scopes: ["orders:read"]}
          rateLimit: {requests: 100, periodSeconds: 60, key: subject}
          timeoutMillis: 5000
          retries: 2
          cors:
            allowOrigins: ["https://console.example.com", "http://127.0.0.1:7070"]
            allowMethods: [GET]
            allowCredentials: true
          maxBodyBytes: 0
        - id: orders-partner
          project: shop
          match: {pathPrefix: /partner/orders}
          integration: orders
          stripPrefix: true
          auth:
            apiKey: {header: X-Partner-Key, keys: {name: partner-keys, key: keys}}
          rateLimit: {requests: 10, periodSeconds: 1, key: apiKey}
      telemetry: {logsRetentionDays: 30, tracesRetentionDays: 365}
      """;

  /**
   * One invalid state.
   *
   * @param name what the case breaks
   * @param at the path whose value is replaced
   * @param yaml the new value as YAML flow text, or {@code null} to remove the field
   * @param path the path the violation must name
   * @param message the message it must carry
   */
  record Case(String name, String at, String yaml, String path, String message) {
    JsonNode apply(JsonNode valid) {
      JsonNode copy = valid.deepCopy();
      TreeEdit.set(copy, at, yaml == null ? null : parse(yaml));
      return copy;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static final String ALGORITHMS = "must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, "
      + "EdDSA (never none or HS*), found ";
  static final String METHODS = "must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, found ";
  static final String HOST = "must be a lower-case host name without port, optionally starting with \"*.\"";
  static final String NORMALISED = "must be normalised (no empty, \".\" or \"..\" segments)";
  static final String AUTH_ONE = "must set exactly one of jwt, apiKey or public: true";
  static final String ORIGIN = "must be \"*\" or scheme://host[:port] (no path, no trailing \"/\")";

  static List<Case> cases() {
    return List.of(
        // document
        new Case("wrong apiVersion", "apiVersion", "outpost.dev/v2", "apiVersion", "must be \"outpost.dev/v1\""),
        new Case("revision zero", "revision", "0", "revision", "must be at least 1"),
        new Case("revision beyond 2^53 - 1", "revision", "9007199254740992", "revision",
            "must be at most 9007199254740991 (2^53 - 1)"),
        new Case("fractional revision", "revision", "12.5", "revision", "must be an integer, found the number 12.5"),
        new Case("revision not a number", "revision", "twelve", "revision", "must be an integer, found a string"),
        new Case("dataPlane not a label", "dataPlane", "Acme_Prod", "dataPlane", Names.LABEL_RULE),
        new Case("unknown top-level field", "owner", "me", "owner", "unknown field"),
        new Case("retention zero", "telemetry.logsRetentionDays", "0", "telemetry.logsRetentionDays",
            "must be between 1 and 365"),
        new Case("retention over a year", "telemetry.tracesRetentionDays", "366", "telemetry.tracesRetentionDays",
            "must be between 1 and 365"),
        // identity providers
        new Case("HS256 accepted", "identityProviders[0].algorithms[1]", "HS256", "identityProviders[0].algorithms[1]",
            ALGORITHMS + "\"HS256\""),
        new Case("alg none accepted", "identityProviders[0].algorithms[0]", "none", "identityProviders[0].algorithms[0]",
            ALGORITHMS + "\"none\""),
        new Case("empty algorithm list", "identityProviders[0].algorithms", "[]", "identityProviders[0].algorithms",
            "must not be empty (omit it to accept RS256 only)"),
        new Case("JWKS from a file", "identityProviders[0].jwksUri", "file:///etc/jwks.json",
            "identityProviders[0].jwksUri", "must be an absolute http or https URI"),
        new Case("relative JWKS URI", "identityProviders[0].jwksUri", "/idp/jwks", "identityProviders[0].jwksUri",
            "must be an absolute http or https URI"),
        new Case("clock skew too large", "identityProviders[0].clockSkewSeconds", "301",
            "identityProviders[0].clockSkewSeconds", "must be between 0 and 300"),
        new Case("duplicate identity provider", "identityProviders[1]",
            "{name: dev, issuer: https://other.example, jwksUri: https://other.example/jwks}",
            "identityProviders[1].name", "duplicate name \"dev\" (already used by identityProviders[0])"),
        // integrations
        new Case("integration name not a label", "integrations[1].name", "Poller", "integrations[1].name",
            Names.LABEL_RULE),
        new Case("integration name too long for int-NAME", "integrations[1].name", "p".repeat(60),
            "integrations[1].name", "must be at most 59 characters (int-NAME becomes a Kubernetes name)"),
        new Case("duplicate integration", "integrations[1].name", "orders", "integrations[1].name",
            "duplicate name \"orders\" (already used by integrations[0])"),
        new Case("project not a label", "integrations[1].project", "Shop!", "integrations[1].project",
            Names.LABEL_RULE),
        // the agent's audit records are kept there: an integration in it could write beside them
        new Case("the data plane's own project", "integrations[1].project", "outpost-system", "integrations[1].project",
            "\"outpost-system\" is reserved for the data plane's own records"),
        new Case("version with a space", "integrations[1].version", "1.0 beta", "integrations[1].version",
            "must match [A-Za-z0-9._-]{1,63}"),
        new Case("empty source", "integrations[1].source", "''", "integrations[1].source", "must not be empty"),
        new Case("source not a list", "integrations[1].source", "'route: {id: x}'", "integrations[1].source",
            "must be a non-empty YAML list (Camel YAML DSL)"),
        new Case("source not YAML", "integrations[1].source", "'- route: {id: x'", "integrations[1].source",
            "is not valid YAML: "),
        new Case("source nested deeper than Camel's parser can take", "integrations[1].source",
            "'- " + "[".repeat(300) + "]".repeat(300) + "'", "integrations[1].source", "is nested deeper than 200 levels"),
        new Case("source with a YAML alias", "integrations[1].source",
            "'- route: {from: {uri: \"platform-http:/a\", steps: [{filter: &f {simple: \"true\", steps: [{log: x}]}},"
                + " {filter: *f}]}}'", "integrations[1].source",
            "uses a YAML alias (*name), which is not supported: write the steps out"),
        new Case("too many replicas", "integrations[0].replicas", "21", "integrations[0].replicas",
            "must be between 0 and 20"),
        new Case("replicas as text", "integrations[0].replicas", "two", "integrations[0].replicas",
            "must be an integer, found a string"),
        new Case("memory not a quantity", "integrations[0].resources.limitsMemory", "1 gigabyte",
            "integrations[0].resources.limitsMemory", "must be a Kubernetes quantity (e.g. 250m, 0.5, 512Mi)"),
        new Case("negative cpu", "integrations[0].resources.requestsCpu", "'-1'",
            "integrations[0].resources.requestsCpu", "must be a Kubernetes quantity (e.g. 250m, 0.5, 512Mi)"),
        new Case("cpu request above its limit", "integrations[0].resources.requestsCpu", "1500m",
            "integrations[0].resources.requestsCpu", "must not be more than limitsCpu (1)"),
        new Case("memory request above its limit", "integrations[0].resources.requestsMemory", "1.5Gi",
            "integrations[0].resources.requestsMemory", "must not be more than limitsMemory (1Gi)"),
        new Case("quantity past any number", "integrations[0].resources.requestsCpu", "'1e3000000000'",
            "integrations[0].resources.requestsCpu", "is too large a quantity"),
        // secrets
        new Case("undeclared secret placeholder", "integrations[0].secrets", "[]", "integrations[0].source",
            "uses {{secret.orders-db.password}} but secrets does not declare it (add {name, key} to secrets)"),
        new Case("secret value in a reference", "integrations[0].secrets[0].value", "hunter2",
            "integrations[0].secrets[0].value", SecretRules.USE_SECRET_REF),
        new Case("secret data in a reference", "integrations[0].secrets[0].data", "{password: aHVudGVyMg==}",
            "integrations[0].secrets[0].data", SecretRules.USE_SECRET_REF),
        new Case("stringData in the API key reference", "routes[1].auth.apiKey.keys.stringData", "{keys: 'a:b'}",
            "routes[1].auth.apiKey.keys.stringData", SecretRules.USE_SECRET_REF),
        new Case("secret name not a subdomain", "integrations[1].secrets", "[{name: Orders_DB, key: url}]",
            "integrations[1].secrets[0].name", Names.SUBDOMAIN_RULE),
        new Case("secret key with a slash", "integrations[1].secrets", "[{name: orders-db, key: a/b}]",
            "integrations[1].secrets[0].key", SecretRules.SECRET_KEY_RULE),
        // Kubernetes refuses these in a Secret and in the volume item that mounts the key
        new Case("secret key '.'", "integrations[1].secrets", "[{name: orders-db, key: .}]",
            "integrations[1].secrets[0].key", SecretRules.SECRET_KEY_RULE),
        new Case("secret key '..'", "integrations[1].secrets", "[{name: orders-db, key: ..}]",
            "integrations[1].secrets[0].key", SecretRules.SECRET_KEY_RULE),
        new Case("secret key starting with '..'", "integrations[1].secrets", "[{name: orders-db, key: ..data}]",
            "integrations[1].secrets[0].key", SecretRules.SECRET_KEY_RULE),
        new Case("password in config", "integrations[0].config.DB_PASSWORD", "hunter2",
            "integrations[0].config.DB_PASSWORD", "names a credential; " + SecretRules.USE_SECRET_REF),
        new Case("api key in config", "integrations[0].config.stripe-api-key", "sk_live_abc",
            "integrations[0].config.stripe-api-key", "names a credential; " + SecretRules.USE_SECRET_REF),
        new Case("private key in config", "integrations[0].config.SIGNING",
            "\"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\"",
            "integrations[0].config.SIGNING", "looks like a credential; " + SecretRules.USE_SECRET_REF),
        new Case("token in config", "integrations[0].config.ACCESS_TOKEN", "abc123",
            "integrations[0].config.ACCESS_TOKEN", "names a credential; " + SecretRules.USE_SECRET_REF),
        new Case("bearer token in an innocent key", "integrations[0].config.UPSTREAM_AUTHORIZATION",
            "Bearer 9f8e7d6c5b4a39281706f5e4", "integrations[0].config.UPSTREAM_AUTHORIZATION",
            "looks like a credential; " + SecretRules.USE_SECRET_REF),
        new Case("JWT in config", "integrations[0].config.CALLER",
            "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl", "integrations[0].config.CALLER",
            "looks like a credential; " + SecretRules.USE_SECRET_REF),
        new Case("password in a backend URL", "integrations[0].config.BACKEND_URL",
            "https://svc:hunter2@orders.internal.example/api", "integrations[0].config.BACKEND_URL",
            "looks like a credential; " + SecretRules.USE_SECRET_REF),
        new Case("password in a Camel URI", "integrations[1].source",
            "'- route: {id: p, from: {uri: \"timer:t\", steps: [{to: \"ftp://host/in?username=u&password=hunter2\"}]}}'",
            "integrations[1].source", "contains what looks like a credential; " + SecretRules.USE_SECRET_REF),
        // routes: references
        new Case("route to a missing integration", "routes[0].integration", "billing", "routes[0].integration",
            "integration \"billing\" does not exist"),
        new Case("route in another project", "routes[0].project", "billing", "routes[0].project",
            "must equal the project of integration \"orders\" (\"shop\")"),
        new Case("route id not a label", "routes[0].id", "orders.read", "routes[0].id", Names.LABEL_RULE),
        new Case("duplicate route id", "routes[1].id", "orders-read", "routes[1].id",
            "duplicate id \"orders-read\" (already used by routes[0])"),
        new Case("same match twice", "routes[2]",
            "{id: copy, project: shop, integration: orders, auth: {public: true}, match: {pathPrefix: /orders, "
                + "hosts: ['*.example.com', api.example.com], methods: [HEAD, GET]}}",
            "routes[2].match", "same match as routes[0] (path prefix, hosts and methods)"),
        // the gateway matches /ord%65rs as /orders: the first listed would take every request
        new Case("same match escaped otherwise", "routes[2]",
            "{id: copy, project: shop, integration: orders, auth: {public: true}, match: {pathPrefix: /ord%65rs, "
                + "hosts: ['*.example.com', api.example.com], methods: [HEAD, GET]}}",
            "routes[2].match", "same match as routes[0] (path prefix, hosts and methods)"),
        new Case("unknown route field", "routes[1].foo", "1", "routes[1].foo", "unknown field"),
        new Case("route without auth", "routes[1].auth", null, "routes[1].auth", "is required"),
        // routes: match
        new Case("relative path prefix", "routes[0].match.pathPrefix", "orders", "routes[0].match.pathPrefix",
            "must start with \"/\""),
        new Case("double slash", "routes[0].match.pathPrefix", "/orders//admin", "routes[0].match.pathPrefix",
            NORMALISED),
        new Case("dot-dot segment", "routes[0].match.pathPrefix", "/orders/../admin", "routes[0].match.pathPrefix",
            NORMALISED),
        new Case("encoded dot-dot segment", "routes[0].match.pathPrefix", "/orders/%2E%2E",
            "routes[0].match.pathPrefix", NORMALISED),
        // read otherwise, or refused, by the gateway: one refused stopped it loading the whole table
        new Case("mixed encoded dot-dot", "routes[0].match.pathPrefix", "/.%2e", "routes[0].match.pathPrefix",
            NORMALISED),
        new Case("dot-dot hiding another prefix", "routes[0].match.pathPrefix", "/x/.%2e/admin",
            "routes[0].match.pathPrefix", NORMALISED),
        new Case("dot-dot with a parameter", "routes[0].match.pathPrefix", "/a/..;b", "routes[0].match.pathPrefix",
            "must be a path the gateway accepts: the path /a/..;b has a segment '.' or '..' followed by ';', which servlet"
                + " containers read as '.' or '..'"),
        new Case("encoded NUL", "routes[0].match.pathPrefix", "/%00", "routes[0].match.pathPrefix",
            "must be a path the gateway accepts: control characters are not accepted in paths"),
        new Case("invalid UTF-8", "routes[0].match.pathPrefix", "/%ff", "routes[0].match.pathPrefix",
            "must be a path the gateway accepts: the path is not valid UTF-8 (overlong or malformed bytes)"),
        new Case("encoded slash", "routes[0].match.pathPrefix", "/orders%2Fadmin", "routes[0].match.pathPrefix",
            "must not contain encoded slashes or backslashes (%2F, %5C, \\)"),
        new Case("encoded backslash", "routes[0].match.pathPrefix", "/orders%5cadmin", "routes[0].match.pathPrefix",
            "must not contain encoded slashes or backslashes (%2F, %5C, \\)"),
        new Case("query in prefix", "routes[0].match.pathPrefix", "/orders?admin=1", "routes[0].match.pathPrefix",
            "must not contain a query or fragment"),
        new Case("trailing slash", "routes[0].match.pathPrefix", "/orders/", "routes[0].match.pathPrefix",
            "must not end with \"/\" (prefixes match whole segments)"),
        new Case("space in prefix", "routes[0].match.pathPrefix", "/my orders", "routes[0].match.pathPrefix",
            "must contain only URL path characters and valid %XX escapes"),
        new Case("lower-case method", "routes[0].match.methods[0]", "get", "routes[0].match.methods[0]",
            METHODS + "\"get\""),
        new Case("unknown method", "routes[0].match.methods[1]", "TRACE", "routes[0].match.methods[1]",
            METHODS + "\"TRACE\""),
        new Case("host with a port", "routes[0].match.hosts[0]", "api.example.com:8443", "routes[0].match.hosts[0]",
            HOST),
        new Case("host with a space", "routes[0].match.hosts[1]", "bad host", "routes[0].match.hosts[1]", HOST),
        new Case("wildcard in the middle", "routes[0].match.hosts[1]", "api.*.example.com",
            "routes[0].match.hosts[1]", HOST),
        // routes: auth
        new Case("no auth mode", "routes[1].auth", "{}", "routes[1].auth", AUTH_ONE),
        new Case("two auth modes", "routes[0].auth.public", "true", "routes[0].auth", AUTH_ONE),
        new Case("public false", "routes[1].auth", "{public: false}", "routes[1].auth", AUTH_ONE),
        new Case("jwt without identity providers", "routes[0].auth.jwt.identityProviders", "[]",
            "routes[0].auth.jwt.identityProviders", "must name at least one identity provider"),
        new Case("jwt with an unknown identity provider", "routes[0].auth.jwt.identityProviders[0]", "google",
            "routes[0].auth.jwt.identityProviders[0]", "identity provider \"google\" does not exist"),
        new Case("forwardToken not a boolean", "routes[0].auth.jwt.forwardToken", "'true'",
            "routes[0].auth.jwt.forwardToken", "must be true or false, found a string"),
        new Case("api key without keys", "routes[1].auth.apiKey.keys", null, "routes[1].auth.apiKey.keys",
            "is required"),
        // routes: limits
        new Case("zero requests", "routes[0].rateLimit.requests", "0", "routes[0].rateLimit.requests",
            "must be between 1 and 9007199254740991"),
        new Case("period over a day", "routes[0].rateLimit.periodSeconds", "86401", "routes[0].rateLimit.periodSeconds",
            "must be between 1 and 86400"),
        new Case("unknown rate-limit key", "routes[0].rateLimit.key", "user", "routes[0].rateLimit.key",
            "must be one of subject, apiKey, clientIp, found \"user\""),
        new Case("subject key without jwt", "routes[1].rateLimit.key", "subject", "routes[1].rateLimit.key",
            "subject needs jwt auth"),
        new Case("apiKey key without api keys", "routes[0].rateLimit.key", "apiKey", "routes[0].rateLimit.key",
            "apiKey needs apiKey auth"),
        new Case("zero timeout", "routes[0].timeoutMillis", "0", "routes[0].timeoutMillis",
            "must be between 1 and 300000"),
        new Case("timeout over five minutes", "routes[0].timeoutMillis", "300001", "routes[0].timeoutMillis",
            "must be between 1 and 300000"),
        new Case("too many retries", "routes[0].retries", "6", "routes[0].retries", "must be between 0 and 5"),
        new Case("body limit over 1 GiB", "routes[0].maxBodyBytes", "1073741825", "routes[0].maxBodyBytes",
            "must be between 0 and 1073741824 (1 GiB)"),
        // routes: CORS
        new Case("any origin with credentials", "routes[0].cors.allowOrigins[1]", "'*'", "routes[0].cors.allowOrigins[1]",
            "\"*\" cannot be combined with allowCredentials: true"),
        new Case("origin with a path", "routes[0].cors.allowOrigins[0]", "https://console.example.com/app",
            "routes[0].cors.allowOrigins[0]", ORIGIN),
        new Case("origin without scheme", "routes[0].cors.allowOrigins[0]", "console.example.com",
            "routes[0].cors.allowOrigins[0]", ORIGIN),
        new Case("CORS method lower case", "routes[0].cors.allowMethods[0]", "get", "routes[0].cors.allowMethods[0]",
            METHODS + "\"get\""));
  }

  static Case named(String name) {
    return cases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  static JsonNode valid() {
    return parse(VALID);
  }

  private static JsonNode parse(String yaml) {
    try {
      return Mappers.YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(yaml, e);
    }
  }

  private InvalidStates() {}
}
