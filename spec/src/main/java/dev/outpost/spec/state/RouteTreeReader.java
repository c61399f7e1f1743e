package dev.outpost.spec.state;

import dev.outpost.spec.json.ObjectFields;
import dev.outpost.spec.json.Quoted;
import dev.outpost.spec.model.ApiKeyAuth;
import dev.outpost.spec.model.Cors;
import dev.outpost.spec.model.JwtAuth;
import dev.outpost.spec.model.RateLimit;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteAuth;
import dev.outpost.spec.model.RouteMatch;

/** Reads a {@link Route} and its parts from a JSON tree, applying defaults. */
final class RouteTreeReader {
  private RouteTreeReader() {}

  static Route route(ObjectFields fields) {
    Route route = new Route(
        fields.requiredString("id"),
        fields.requiredString("project"),
        fields.requiredObject("match", RouteTreeReader::match),
        fields.requiredString("integration"),
        fields.booleanOr("stripPrefix", false),
        fields.requiredObject("auth", RouteTreeReader::auth),
        fields.optionalObject("rateLimit", RouteTreeReader::rateLimit),
        fields.longOr("timeoutMillis", Route.DEFAULT_TIMEOUT_MILLIS),
        fields.intOr("retries", 0),
        fields.optionalObject("cors", RouteTreeReader::cors),
        fields.longOr("maxBodyBytes", Route.DEFAULT_MAX_BODY_BYTES));
    fields.finish();
    return route;
  }

  static RouteMatch match(ObjectFields fields) {
    RouteMatch match = new RouteMatch(
        fields.requiredString("pathPrefix"), fields.stringList("hosts"), fields.stringList("methods"));
    fields.finish();
    return match;
  }

  static RouteAuth auth(ObjectFields fields) {
    RouteAuth auth = new RouteAuth(
        fields.optionalObject("jwt", RouteTreeReader::jwt),
        fields.optionalObject("apiKey", RouteTreeReader::apiKey),
        fields.optionalBoolean("public"));
    fields.finish();
    return auth;
  }

  static JwtAuth jwt(ObjectFields fields) {
    JwtAuth jwt = new JwtAuth(
        fields.stringList("identityProviders"), fields.stringList("audiences"), fields.stringList("scopes"),
        fields.booleanOr("forwardToken", false));
    fields.finish();
    return jwt;
  }

  static ApiKeyAuth apiKey(ObjectFields fields) {
    String header = fields.optionalString("header");
    ApiKeyAuth apiKey = new ApiKeyAuth(
        header == null ? ApiKeyAuth.DEFAULT_HEADER : header,
        fields.requiredObject("keys", IntegrationTreeReader::secretRef));
    fields.finish();
    return apiKey;
  }

  static RateLimit rateLimit(ObjectFields fields) {
    RateLimit limit = new RateLimit(
        fields.requiredLong("requests"), fields.requiredInt("periodSeconds"), rateLimitKey(fields));
    fields.finish();
    return limit;
  }

  private static RateLimit.Key rateLimitKey(ObjectFields fields) {
    String key = fields.requiredString("key");
    if (key == null) {
      return null;
    }
    for (RateLimit.Key candidate : RateLimit.Key.values()) {
      if (candidate.wireName().equals(key)) {
        return candidate;
      }
    }
    fields.problems().add(fields.pathOf("key"), "must be one of subject, apiKey, clientIp, found " + Quoted.of(key));
    return null;
  }

  static Cors cors(ObjectFields fields) {
    Cors cors = new Cors(
        fields.stringList("allowOrigins"),
        fields.stringList("allowMethods"),
        fields.stringList("allowHeaders"),
        fields.stringList("exposeHeaders"),
        fields.booleanOr("allowCredentials", false),
        fields.intOr("maxAgeSeconds", Cors.DEFAULT_MAX_AGE_SECONDS));
    fields.finish();
    return cors;
  }
}
